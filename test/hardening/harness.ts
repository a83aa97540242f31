/**
 * The hardening suites' shared harness. Every suite runs a number of trials, counts the ones that
 * broke a rule, prints one line CI output keeps:
 *
 *   HARDENING <suite>: <n> trials, <k> failures
 *
 * and then fails the test with the first failures' details when k > 0 (a failure is a bug to fix).
 * `npm test` runs the quick size; `npm run test:hardening` (HARDENING=full) the full size.
 * Trials draw from a seeded generator: one fixed seed at the quick size, a new one per run at the
 * full size (vitest.config.ts); HARDENING_SEED=<n> replays a run, and the seed is printed.
 */
import { expect, inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `full` under `npm run test:hardening`, else `quick`. */
    hardening: 'quick' | 'full';
    /** The run's seed (HARDENING_SEED; else fixed at the quick size, the time the run started at the full size). */
    hardeningSeed: number;
  }
}

/** `full` trials under `npm run test:hardening`, `quick` otherwise. */
export function trials(full: number, quick: number): number {
  return inject('hardening') === 'full' ? full : quick;
}

export function isFull(): boolean {
  return inject('hardening') === 'full';
}

/**
 * `promise`, or an error naming `what` once it has taken longer than `ms`: a wait for a state that
 * fails with a message saying which state, instead of a suite timeout that says nothing.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same trials. */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /**
   * A generator of its own for one part of a run (a trial, a writer, a server's reply), keyed by a
   * name: it gives the same numbers for the same seed and key, however many numbers other parts
   * drew before it, or in which order concurrent parts drew them.
   */
  static for(seed: number, key: string | number): Random {
    let hash = 0x811c9dc5 ^ (seed >>> 0);
    for (const ch of `${key}`) hash = Math.imul(hash ^ ch.codePointAt(0)!, 0x01000193) >>> 0;
    return new Random(Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0);
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Counts trials and failures for one suite, and reports them in the line CI keeps. */
export class Tally {
  readonly suite: string;
  readonly random: Random;
  readonly seed: number;
  #trials = 0;
  readonly failures: string[] = [];

  constructor(suite: string, salt = 0) {
    this.suite = suite;
    this.seed = (inject('hardeningSeed') + salt) >>> 0;
    this.random = new Random(this.seed);
  }

  /** The generator of one part of this run (see `Random.for`): the same seed replays it exactly. */
  randomFor(key: string | number): Random {
    return Random.for(this.seed, key);
  }

  get trials(): number {
    return this.#trials;
  }

  /**
   * Runs one trial. It fails when `body` throws or returns problems (strings); the problems are
   * kept, labelled with the trial's number and `label`.
   */
  async trial(label: string, body: () => Promise<string[] | void> | string[] | void): Promise<boolean> {
    const index = ++this.#trials;
    let problems: string[];
    try {
      problems = (await body()) ?? [];
    } catch (error) {
      problems = [`threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`];
    }
    if (problems.length > 0) this.failures.push(`#${index} ${label}: ${problems.join('; ').slice(0, 600)}`);
    return problems.length === 0;
  }

  /** Prints the suite's line and fails the test when any trial failed. */
  report(): void {
    console.log(`HARDENING ${this.suite}: ${this.#trials} trials, ${this.failures.length} failures`);
    if (this.failures.length > 0)
      console.log(`HARDENING ${this.suite} seed ${this.seed}:\n  ${this.failures.slice(0, 20).join('\n  ')}`);
    expect(this.#trials, `${this.suite} ran no trials`).toBeGreaterThan(0);
    expect(this.failures, `${this.suite} (seed ${this.seed})`).toEqual([]);
  }
}
