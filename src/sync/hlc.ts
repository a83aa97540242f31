/**
 * A hybrid logical clock: wall time in milliseconds plus a counter, never going backwards and
 * always ahead of every stamp it has received. Stamps are fixed-width strings, so comparing two
 * stamps as strings compares them as clocks.
 */
export type HlcStamp = string;

const WALL_DIGITS = 15;
const COUNT_DIGITS = 6;

export function formatStamp(wall: number, count: number): HlcStamp {
  return `${String(wall).padStart(WALL_DIGITS, '0')}-${String(count).padStart(COUNT_DIGITS, '0')}`;
}

export function parseStamp(stamp: string): { wall: number; count: number } | undefined {
  const match = /^(\d{15})-(\d{6})$/.exec(stamp);
  return match ? { wall: Number(match[1]), count: Number(match[2]) } : undefined;
}

export class HybridClock {
  #wall = 0;
  #count = 0;
  readonly #now: () => number;

  constructor(now: () => number, last?: HlcStamp) {
    this.#now = now;
    if (last) this.receive(last);
  }

  /** A new stamp, later than every stamp made or received before. */
  tick(): HlcStamp {
    const now = Math.floor(this.#now());
    if (now > this.#wall) {
      this.#wall = now;
      this.#count = 0;
    } else {
      this.#count++;
    }
    return formatStamp(this.#wall, this.#count);
  }

  /** Moves the clock past a stamp seen on another device. */
  receive(stamp: HlcStamp): void {
    const seen = parseStamp(stamp);
    if (!seen) return;
    if (seen.wall > this.#wall || (seen.wall === this.#wall && seen.count > this.#count)) {
      this.#wall = seen.wall;
      this.#count = seen.count;
    }
  }

  /** The latest stamp made or received. */
  get last(): HlcStamp {
    return formatStamp(this.#wall, this.#count);
  }
}
