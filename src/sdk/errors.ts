/**
 * Every error the SDK raises on purpose is a `MemoryError` with a stable string `code`.
 * A host can branch on `code` without parsing messages; the class and the code survive the
 * worker boundary (see src/worker/transfer.ts).
 */
export const MEMORY_ERROR_CODES = [
  /** A call arrived after `close()`. */
  'CLOSED',
  /** An argument is missing, has the wrong type or is out of range. */
  'INVALID_ARGUMENT',
  /** No memory with that id. */
  'NOT_FOUND',
  /** The embedding or chat model could not be found at the configured location. */
  'MODEL_NOT_FOUND',
  /** A model was found but failed to load or run. */
  'MODEL_LOAD_FAILED',
  /** The call needs a chat model and none is set (`chat.useModel`). */
  'NO_CHAT_MODEL',
  /** The browser has no usable WebGPU adapter. */
  'WEBGPU_UNAVAILABLE',
  /** The browser refused to store more data. */
  'QUOTA_EXCEEDED',
  /** An import file failed validation; nothing was written. */
  'INVALID_IMPORT',
  /** The import file is sealed and no passphrase was given; nothing was written. */
  'PASSPHRASE_REQUIRED',
  /** The profile is encrypted and locked. */
  'LOCKED',
  /** The passphrase does not unlock this profile; no data was touched. */
  'WRONG_PASSPHRASE',
  /**
   * A new passphrase (encryption, a new passphrase, a sealed export) is too easy to guess offline:
   * under 12 characters, a well-known password, repeats or a run of keys. `details.reason` says which.
   */
  'WEAK_PASSPHRASE',
  /** The text falls under a "do not remember" rule the user switched on; nothing was stored. */
  'DO_NOT_REMEMBER',
  /** A model answer failed its schema twice; nothing was written. */
  'LLM_OUTPUT_INVALID',
  /** The caller aborted the work through its AbortSignal. */
  'ABORTED',
  /** IndexedDB failed for a reason other than quota. */
  'STORAGE_FAILED',
  /**
   * A rewrite of the whole profile (encryption on or off, a new passphrase or key, a format
   * upgrade) found records it cannot read (damaged, or planted unsealed) and changed nothing.
   * `details.records` lists them (`{ table, ids }[]`); `maintenance.verify({ removeUnreadable: true })`
   * removes them (audited), after which the rewrite goes through.
   */
  'UNREADABLE_RECORDS',
  /** Another tab upgraded this profile's database; reload the page to continue. */
  'RELOAD_REQUIRED',
  /** The worker could not be started or died. */
  'WORKER_FAILED',
  /** A sync envelope does not open with this profile's sync key (tampered, garbage or another key); nothing was written. */
  'SYNC_ENVELOPE_INVALID',
  /** The sync server could not be reached or refused the replication. */
  'SYNC_FAILED',
  /**
   * The sync server needs a login (`auth`) and refused this profile's: its admin has not yet made
   * the user and database the sync key derives (after `enable`, or after a device removal changed
   * the key). `details`: `database`, `username`, `status` (the server's answer). Local changes wait;
   * sync resumes by itself once they exist. `sync.serverAccount()` gives what the admin creates.
   */
  'SYNC_SERVER_SETUP_NEEDED',
  /**
   * Another device removed this one from the profile's sync: the sync key changed and this device
   * was not given the new one. Its memories stay here; it can join again with a new pairing code.
   */
  'SYNC_DEVICE_REMOVED',
  /** Anything unexpected; the message says what. */
  'INTERNAL',
] as const;

export type MemoryErrorCode = (typeof MEMORY_ERROR_CODES)[number];

/** The one error class of the SDK. `details` is plain, structured-cloneable data. */
export class MemoryError extends Error {
  override readonly name = 'MemoryError';
  readonly code: MemoryErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: MemoryErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isMemoryError(value: unknown, code?: MemoryErrorCode): value is MemoryError {
  return value instanceof MemoryError && (code === undefined || value.code === code);
}

export function isMemoryErrorCode(value: unknown): value is MemoryErrorCode {
  return typeof value === 'string' && (MEMORY_ERROR_CODES as readonly string[]).includes(value);
}

/** Wraps anything thrown into a MemoryError, keeping an existing one as it is. */
export function toMemoryError(error: unknown, fallback: MemoryErrorCode = 'INTERNAL'): MemoryError {
  if (error instanceof MemoryError) return error;
  // Before the abort check: a full disk aborts the IndexedDB transaction, and Dexie reports an
  // AbortError whose `inner` is the QuotaExceededError.
  if (isQuotaError(error)) {
    return new MemoryError('QUOTA_EXCEEDED', 'The browser has no room left for this profile', { cause: error });
  }
  if (isAbortError(error)) return new MemoryError('ABORTED', 'The operation was aborted', { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new MemoryError(fallback, message, { cause: error });
}

/** Throws `ABORTED` when the signal has fired; call between units of long work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MemoryError('ABORTED', 'The operation was aborted');
}

function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

function isQuotaError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if ((current as { name?: unknown }).name === 'QuotaExceededError') return true;
    current = (current as { inner?: unknown; cause?: unknown }).inner ?? (current as { cause?: unknown }).cause;
  }
  return false;
}
