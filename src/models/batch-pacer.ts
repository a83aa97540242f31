/**
 * Paces a long embedding job so that a call arriving meanwhile (a search, an abort) waits for at most
 * about one stretch of work. Two rules:
 * - a turn is given before a batch that would end past the stretch, judged by how long texts took so
 *   far (a turn costs a task hop, so fast models still run a whole stretch between turns);
 * - a batch that alone takes longer than the stretch makes the next ones smaller, down to
 *   {@link MIN_BATCH} texts, and quick batches grow back to the configured size. A fast model keeps
 *   its batch size (32 texts of averaged word vectors take about 4 ms); a slow one on the CPU (a
 *   transformer in WebAssembly, several milliseconds a text) no longer holds the worker for a whole
 *   batch of 32 while a search waits.
 * The pacer lives as long as its embedder, so what it learned carries over to the next call.
 */

/** Longest stretch of embedding work between two turns for other messages (ms). */
export const STRETCH_MS = 25;

/**
 * Smallest batch the pacer shrinks to. Each model call has a fixed cost: with averaged word vectors,
 * batches of 4 embed at 40 % of the speed of batches of 32, batches of 8 at about 80 %.
 */
export const MIN_BATCH = 8;

export class BatchPacer {
  readonly #max: number;
  readonly #stretchMs: number;
  #size: number;
  /** Milliseconds a text took in the last batch, or undefined before the first. */
  #perText: number | undefined;

  constructor(maxBatch: number, stretchMs: number = STRETCH_MS) {
    this.#max = Math.max(1, Math.floor(maxBatch));
    this.#stretchMs = stretchMs;
    this.#size = this.#max;
  }

  /** Texts in the next batch (at most `left`). */
  next(left: number): number {
    return Math.max(1, Math.min(left, this.#size));
  }

  /** Whether to give a turn before a batch of `count` texts, `ranMs` after the last turn. */
  shouldYield(ranMs: number, count: number): boolean {
    if (ranMs <= 0) return false;
    const expected = this.#perText === undefined ? 0 : this.#perText * count;
    return ranMs + expected > this.#stretchMs;
  }

  /**
   * Records that `count` texts took `ms`, and sizes the next batch. A call of fewer texts than the
   * smallest batch (a search's query) says little: its time is mostly the call's own cost, or a wait
   * behind a batch under way, so it is not learned from.
   */
  took(count: number, ms: number): void {
    if (count < Math.min(MIN_BATCH, this.#max) || !(ms >= 0)) return;
    this.#perText = ms / count;
    if (ms > this.#stretchMs && this.#size > MIN_BATCH) {
      this.#size = Math.max(MIN_BATCH, Math.min(this.#size - 1, Math.floor(this.#stretchMs / this.#perText)));
    } else if (ms * 2 < this.#stretchMs && this.#size < this.#max && count === this.#size) {
      this.#size = Math.min(this.#max, this.#size * 2);
    }
  }

  /** The batch size the pacer would use now (for tests and diagnostics). */
  get size(): number {
    return this.#size;
  }
}
