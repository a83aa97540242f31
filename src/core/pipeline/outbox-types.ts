/**
 * The outbox's data and its one port. Memory work that follows a reply (extraction, profile
 * updates, conflict checks, summaries) is written here first as a job, then run in batches by
 * src/core/pipeline/outbox.ts. src/storage/outbox-repository.ts keeps the jobs in IndexedDB.
 */

/** What a payload may hold: it is stored (and, when the profile is encrypted, sealed) as JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `pending` waits for its `runAfter` time; `running` is claimed by the runner; `done` finished
 * (pruned after a retention period, payload dropped); `failed` used up its attempts and stays
 * listed until the user retries it — it is never deleted automatically.
 */
export type OutboxState = 'pending' | 'running' | 'done' | 'failed';

export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'running', 'done', 'failed'];

export interface OutboxJobError {
  /** A `MemoryErrorCode` (`LLM_OUTPUT_INVALID`, `INTERNAL`, …). */
  code: string;
  message: string;
}

export interface OutboxJob {
  id: string;
  /** Selects the handler; jobs of one kind are run together in batches. */
  kind: string;
  /** The handler's input. `null` once the job is `done` (nothing of the user's text lingers). */
  payload: JsonValue;
  state: OutboxState;
  /** Failed runs so far. A run cut short by `stop()` or a crash is not counted. */
  attempts: number;
  /** The job becomes `failed` when `attempts` reaches this. */
  maxAttempts: number;
  /** Not run before this time (ms since the epoch); moved forward by the backoff after a failure. */
  runAfter: number;
  createdAt: number;
  updatedAt: number;
  /** The error of the latest failed run; kept after a retry so the history stays visible. */
  lastError?: OutboxJobError;
  /** While a pending job has this key, enqueuing another job with the same key returns the pending one. */
  dedupeKey?: string;
}

/** Called when this instance may run jobs no longer; resolves once the runner role is free. */
export type ReleaseRunner = () => void;

/** Persistence of outbox jobs. Every status change is atomic; implementations: Dexie, in-memory (tests). */
export interface OutboxStore {
  /**
   * Stores a new job. When it has a `dedupeKey` and a `pending` job with the same key exists, nothing
   * is written and that job is returned with `added: false`.
   */
  add(job: OutboxJob): Promise<{ job: OutboxJob; added: boolean }>;
  /**
   * Atomically moves up to `limit` due jobs (`pending`, `runAfter <= now`, kind in `kinds`) to
   * `running`, all of one kind: the kind of the earliest due job. Earliest `runAfter` first.
   */
  claim(options: { now: number; kinds: readonly string[]; limit: number }): Promise<OutboxJob[]>;
  /** Writes the new state of claimed jobs; a job that is no longer `running` in the store is left alone. */
  settle(jobs: OutboxJob[]): Promise<void>;
  /** Puts every `running` job back to `pending` (the runner that claimed it is gone). Returns how many. */
  recover(now: number): Promise<number>;
  /** A `failed` job back to `pending` with no attempts used, due at `now`; undefined when there is no such failed job. */
  retry(id: string, now: number): Promise<OutboxJob | undefined>;
  /** Oldest first; every job when `state` is not given. */
  list(state?: OutboxState): Promise<OutboxJob[]>;
  /** How many `pending`, `running` and `failed` jobs there are, per kind. */
  counts(): Promise<Record<Exclude<OutboxState, 'done'>, Record<string, number>>>;
  /** The earliest `runAfter` of a pending job of one of `kinds`; undefined when there is none. */
  nextRunAfter(kinds: readonly string[]): Promise<number | undefined>;
  /** Deletes `done` jobs last updated before `before`. Returns how many. */
  prune(before: number): Promise<number>;
  /**
   * Resolves when the caller is the only runner of this store (across tabs where the platform
   * allows: Web Locks). Rejects with `ABORTED` when `signal` fires first.
   */
  acquireRunner(signal: AbortSignal): Promise<ReleaseRunner>;
  /** Calls `listener` when a job is added by another instance (another tab). Returns the unsubscribe. */
  watch?(listener: () => void): () => void;
}

export interface OutboxHandlerContext {
  /** Fires when the outbox stops: give up promptly (the jobs go back to pending, no attempt used). */
  signal: AbortSignal;
  /** The jobs of this batch, in the order of `payloads` (ids make handlers idempotent). */
  jobs: readonly OutboxJob[];
}

/**
 * Runs a batch of payloads of one kind. Resolving marks them all `done`; throwing counts one
 * failed attempt for each (a `MemoryError('ABORTED')` counts none). Payloads come from storage,
 * perhaps written by an older version of the app: validate them. Jobs run at least once, so a
 * handler must be safe to run again on the same payload.
 */
export type OutboxHandler = (payloads: JsonValue[], context: OutboxHandlerContext) => Promise<void>;

/** Delays work; tests pass one that runs tasks when they move time. */
export interface Scheduler {
  /** Runs `task` after `delayMs`; returns a function that cancels it. */
  schedule(task: () => void, delayMs: number): () => void;
}

/** What a discreet "memory is being updated" indicator needs. */
export interface OutboxSummary {
  /** Pending jobs, including those waiting for a handler. */
  pending: number;
  running: number;
  /** Jobs that used up their attempts; they wait for `retry(id)`. */
  failed: number;
  /** Pending jobs whose kind has no handler in this instance (kept, never dropped). */
  unhandled: number;
  unhandledKinds: string[];
}
