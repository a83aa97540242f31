/**
 * The outbox: memory work that follows a reply, persisted before it runs and run in batches in
 * the background. A job cut short by a crash or a closed tab runs on the next `start()`; a job
 * that throws is retried with backoff and ends `failed` (listed, never dropped) after its last
 * attempt. Jobs run at least once: handlers must tolerate a second run of the same payload.
 */
import { MemoryError, toMemoryError } from '../../sdk/errors';
import { systemClock } from '../clock';
import type { Clock } from '../ports';
import { backoffDelay, createJobId, DEFAULT_BACKOFF, isJsonValue, type BackoffOptions } from './outbox-jobs';
import { createOutboxRunner } from './outbox-runner';
import type { JsonValue, OutboxHandler, OutboxJob, OutboxState, OutboxStore, OutboxSummary, Scheduler } from './outbox-types';

export interface OutboxOptions {
  /** Where jobs live (src/storage/outbox-repository.ts, or an in-memory store in tests). */
  store: OutboxStore;
  /** One handler per job kind. A job whose kind has none here stays pending and is counted as unhandled. */
  handlers: Record<string, OutboxHandler>;
  /** Time as the outbox sees it. Default: the system clock. */
  clock?: Clock;
  /** Runs the wake-up for the next due job. Default: `setTimeout`. */
  scheduler?: Scheduler;
  /** Most payloads handed to one handler call. Default 8. */
  batchSize?: number;
  /** Attempts of a job before it becomes `failed`, unless `enqueue` says otherwise. Default 5. */
  maxAttempts?: number;
  /** Delays between attempts; see {@link BackoffOptions} for the defaults. */
  backoff?: BackoffOptions;
  /** Random numbers in `[0, 1)` for the backoff jitter. Default `Math.random`; `createSeededRandom(seed)` repeats. */
  random?: () => number;
  /** Wait (ms) before a job whose handler threw `ABORTED` by itself is tried again (no attempt used). Default 30,000. */
  abortDelayMs?: number;
  /** How long `done` jobs are kept (ms, by `updatedAt`) before `start()` and idle runs prune them. Default one day. */
  keepDoneMs?: number;
  /** Told the counts after every change, for a discreet "memory is being updated" indicator. */
  onChange?: (summary: OutboxSummary) => void;
  /** Told storage failures of the background runner (it retries on its own). Default: `console.error`. */
  onError?: (error: MemoryError) => void;
}

export interface EnqueueOptions {
  /** While a pending job has this key, this call returns it instead of adding a duplicate. */
  dedupeKey?: string;
  /** Not before this time (ms since the epoch). Default: now. */
  runAfter?: number;
  /** Overrides the outbox's `maxAttempts` for this job. */
  maxAttempts?: number;
}

export interface Outbox {
  /** Stores the job (resolved once it is persisted), then wakes the runner without waiting for the work. */
  enqueue(kind: string, payload: JsonValue, options?: EnqueueOptions): Promise<OutboxJob>;
  /**
   * Becomes the store's only runner (waits while another instance, e.g. another tab, is one), puts
   * jobs a crashed runner left `running` back to `pending`, prunes old `done` jobs and starts running.
   * Resolves once running; calling it again returns the same promise.
   */
  start(): Promise<void>;
  /** Starts if needed and runs until no job is due now (future `runAfter` times are left to the scheduler). */
  drain(): Promise<void>;
  /** Aborts the handlers in flight (their jobs go back to pending, no attempt used) and gives up the runner role. */
  stop(): Promise<void>;
  /** Oldest first. */
  list(options?: { state?: OutboxState }): Promise<OutboxJob[]>;
  /** Puts a `failed` job back to `pending` with all its attempts; `NOT_FOUND` when no failed job has this id. */
  retry(id: string): Promise<OutboxJob>;
  summary(): Promise<OutboxSummary>;
}

const DEFAULTS = {
  clock: systemClock,
  scheduler: {
    schedule: (task: () => void, delayMs: number) => {
      const timer = setTimeout(task, delayMs);
      return () => clearTimeout(timer);
    },
  } satisfies Scheduler,
  batchSize: 8,
  maxAttempts: 5,
  random: Math.random,
  abortDelayMs: 30_000,
  keepDoneMs: 24 * 60 * 60 * 1000,
  onError: (error: MemoryError) => console.error('[mneme] outbox:', error),
};

export function createOutbox(options: OutboxOptions): Outbox {
  const { store, handlers } = options;
  const clock = options.clock ?? DEFAULTS.clock;
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const batchSize = options.batchSize ?? DEFAULTS.batchSize;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const random = options.random ?? DEFAULTS.random;
  const onError = options.onError ?? DEFAULTS.onError;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new MemoryError('INVALID_ARGUMENT', 'batchSize must be a positive integer');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new MemoryError('INVALID_ARGUMENT', 'maxAttempts must be a positive integer');
  }

  const summary = async (): Promise<OutboxSummary> => {
    const counts = await store.counts();
    const total = (byKind: Record<string, number>) => Object.values(byKind).reduce((sum, n) => sum + n, 0);
    const unhandledKinds = Object.keys(counts.pending)
      .filter((kind) => !Object.hasOwn(handlers, kind))
      .sort();
    return {
      pending: total(counts.pending),
      running: total(counts.running),
      failed: total(counts.failed),
      unhandled: unhandledKinds.reduce((sum, kind) => sum + (counts.pending[kind] ?? 0), 0),
      unhandledKinds,
    };
  };

  const runner = createOutboxRunner({
    store,
    handlers,
    clock,
    scheduler: options.scheduler ?? DEFAULTS.scheduler,
    batchSize,
    delay: (attempt) => backoffDelay(attempt, backoff, random),
    abortDelayMs: options.abortDelayMs ?? DEFAULTS.abortDelayMs,
    keepDoneMs: options.keepDoneMs ?? DEFAULTS.keepDoneMs,
    summary,
    onChange: options.onChange,
    onError,
  });

  return {
    enqueue: async (kind, payload, enqueueOptions = {}) => {
      if (typeof kind !== 'string' || kind.length === 0) throw new MemoryError('INVALID_ARGUMENT', 'A job needs a kind');
      if (!isJsonValue(payload)) throw new MemoryError('INVALID_ARGUMENT', `The payload of a ${kind} job is not plain JSON`);
      const jobMaxAttempts = enqueueOptions.maxAttempts ?? maxAttempts;
      if (!Number.isInteger(jobMaxAttempts) || jobMaxAttempts < 1) {
        throw new MemoryError('INVALID_ARGUMENT', 'maxAttempts must be a positive integer');
      }
      const now = clock.now();
      const job: OutboxJob = {
        id: createJobId(now),
        kind,
        payload,
        state: 'pending',
        attempts: 0,
        maxAttempts: jobMaxAttempts,
        runAfter: enqueueOptions.runAfter ?? now,
        createdAt: now,
        updatedAt: now,
        ...(enqueueOptions.dedupeKey === undefined ? {} : { dedupeKey: enqueueOptions.dedupeKey }),
      };
      const stored = await guard(() => store.add(job));
      if (stored.added) runner.wake();
      return stored.job;
    },
    start: () => runner.start(),
    drain: () => runner.drain(),
    stop: () => runner.stop(),
    list: ({ state } = {}) => guard(() => store.list(state)),
    retry: async (id) => {
      const job = await guard(() => store.retry(id, clock.now()));
      if (!job) throw new MemoryError('NOT_FOUND', `No failed outbox job ${id}`);
      runner.wake();
      return job;
    },
    summary: () => guard(summary),
  };
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toMemoryError(error, 'STORAGE_FAILED');
  }
}
