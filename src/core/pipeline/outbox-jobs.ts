/**
 * Pure rules of the outbox: how a job is made, what a run's outcome does to it, and the backoff
 * between failed runs. No storage, no timers: src/core/pipeline/outbox.ts applies them.
 */
import { toMemoryError } from '../../sdk/errors';
import { createId } from '../ids';
import type { JsonValue, OutboxJob } from './outbox-types';

/** Delay before the next run after the n-th failed attempt: `min(maxMs, baseMs × factor^(n−1))`, then jitter. */
export interface BackoffOptions {
  /** Delay after the first failure, in ms. Default 2,000. */
  baseMs?: number;
  /** Growth per further failure. Default 3 (2 s, 6 s, 18 s, 54 s, …). */
  factor?: number;
  /** Cap of the delay, in ms, jitter included. Default 600,000 (10 min). */
  maxMs?: number;
  /**
   * Spread, as a fraction of the delay: the delay is scaled by a random factor in
   * `[1 − jitter, 1 + jitter)` so tabs and jobs that failed together do not retry together.
   * Default 0.25; 0 makes the sequence exact.
   */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseMs: 2_000, factor: 3, maxMs: 600_000, jitter: 0.25 };

/** The delay (ms) before the run that follows failed attempt number `attempt` (1-based). */
export function backoffDelay(attempt: number, backoff: Required<BackoffOptions>, random: () => number): number {
  const raw = backoff.baseMs * backoff.factor ** Math.max(0, attempt - 1);
  const spread = 1 + backoff.jitter * (2 * random() - 1);
  return Math.round(Math.min(backoff.maxMs, raw * spread));
}

/** A small deterministic generator (mulberry32) in `[0, 1)`: the same seed gives the same jitter. */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let sequence = 0;

/**
 * A job id that sorts in creation order, even for jobs made in the same millisecond in this
 * realm: creation time (base 36), a counter, then a random id.
 */
export function createJobId(now: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(9, '0');
  return `${time}-${sequence.toString(36).padStart(4, '0')}-${createId()}`;
}

/** Due order: earliest `runAfter` first, then creation order. */
export function byDueTime(a: Pick<OutboxJob, 'runAfter' | 'id'>, b: Pick<OutboxJob, 'runAfter' | 'id'>): number {
  return a.runAfter - b.runAfter || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** True for values that survive a JSON round trip unchanged (plain objects, arrays, finite numbers, …). */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  if (depth > 64) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isJsonValue(item, depth + 1));
}

/** The job after its batch succeeded: `done`, payload dropped. */
export function succeeded(job: OutboxJob, now: number): OutboxJob {
  return { ...job, state: 'done', payload: null, updatedAt: now };
}

/**
 * The job after its batch threw. An abort (`ABORTED`) uses no attempt: the job is due again at
 * once when the outbox itself stopped, after `abortDelayMs` otherwise (a handler that aborts on
 * its own must not spin). Any other error uses one attempt and moves `runAfter` by the backoff,
 * or makes the job `failed` when it was the last attempt.
 */
export function failed(
  job: OutboxJob,
  error: unknown,
  now: number,
  rules: { stopped: boolean; abortDelayMs: number; delay: (attempt: number) => number },
): OutboxJob {
  const memoryError = toMemoryError(error);
  if (rules.stopped || memoryError.code === 'ABORTED') {
    return { ...job, state: 'pending', runAfter: rules.stopped ? now : now + rules.abortDelayMs, updatedAt: now };
  }
  const lastError = { code: memoryError.code, message: memoryError.message };
  if (memoryError.code === 'NO_CHAT_MODEL') {
    // Waiting for the chat model (it loads again after a reload): no attempt is used up, and the
    // job looks again soon after, then less and less often (at most every 30 s).
    const wait = Math.min(30_000, Math.max(1_000, (now - job.createdAt) / 4));
    return { ...job, state: 'pending', lastError, runAfter: now + wait, updatedAt: now };
  }
  const attempts = job.attempts + 1;
  if (attempts >= job.maxAttempts) return { ...job, state: 'failed', attempts, lastError, updatedAt: now };
  return { ...job, state: 'pending', attempts, lastError, runAfter: now + rules.delay(attempts), updatedAt: now };
}
