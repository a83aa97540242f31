/**
 * Words the page shows for what the SDK reports: failures as sentences a person can act on
 * (with the error code one click away, so a bug report can name it), sizes and percentages.
 */
import { isMemoryError, type MemoryErrorCode } from '../../sdk/index';

/** What the person was doing when something failed, as the start of a sentence. */
export type Action =
  | 'open'
  | 'save'
  | 'search'
  | 'delete'
  | 'chat'
  | 'model'
  | 'update'
  | 'export'
  | 'import'
  | 'unlock'
  | 'encrypt'
  | 'settings'
  | 'verify'
  | 'retry'
  | 'sync';

const DOING: Record<Action, string> = {
  open: 'Mneme could not open your memory',
  save: 'This memory was not saved',
  search: 'The search did not run',
  delete: 'It was not deleted',
  chat: 'The assistant could not answer',
  model: 'The model could not be loaded',
  update: 'The change was not saved',
  export: 'The export did not finish',
  import: 'Nothing was imported',
  unlock: 'The profile stays locked',
  encrypt: 'Encryption was not changed',
  settings: 'The setting was not applied',
  verify: 'The check did not finish',
  retry: 'The memory job did not restart',
  sync: 'Sync did not change',
};

const ADVICE: Partial<Record<MemoryErrorCode, string>> = {
  NO_CHAT_MODEL: 'no chat model is loaded yet. Choose one in Settings → Models.',
  WRONG_PASSPHRASE: 'that passphrase does not match. Check it and try again.',
  WEBGPU_UNAVAILABLE: 'this graphics chip can’t run this model. Choose one marked “on the processor” instead.',
  MODEL_NOT_FOUND: 'its files were not found where Mneme looks for them. Choose another model.',
  MODEL_LOAD_FAILED: 'it was found but would not start on this device. Choose another model.',
  LLM_OUTPUT_INVALID: 'the model’s answer could not be used. Try again, or choose another model.',
  INVALID_IMPORT: 'the file is not a valid Mneme export.',
  PASSPHRASE_REQUIRED: 'it needs the passphrase. Enter it and try again.',
  WEAK_PASSPHRASE: 'that passphrase is too easy to guess. Use at least 12 characters; a few words are easiest.',
  QUOTA_EXCEEDED: 'your browser has no room left for this site. Delete some memories or free disk space, then try again.',
  DO_NOT_REMEMBER: 'it falls under one of your "do not remember" rules.',
  LOCKED: 'this profile is locked. Unlock it with your passphrase first.',
  RELOAD_REQUIRED: 'Mneme was updated in another tab. Reload this page to continue.',
  WORKER_FAILED: 'its background worker stopped. Reload the page to start it again.',
  STORAGE_FAILED: 'the browser refused to read or write its database. Reload the page and try again.',
  SYNC_FAILED: 'the sync server did not answer. Check its address, that it is running, and this device’s connection.',
  SYNC_ENVELOPE_INVALID:
    'the server’s copy does not open with these words: they belong to another profile, or the copy was altered.',
  SYNC_DEVICE_REMOVED:
    'another of your devices removed this one from sync. Your memories stay here; to sync again, join with a new pairing code.',
  CLOSED: 'the connection to your memory was closed. Reload the page to open it again.',
};

export interface FriendlyError {
  /** A whole sentence: what failed and what to do. */
  sentence: string;
  /** The SDK's error code (`INTERNAL` for anything that is not a MemoryError). */
  code: string;
  /** The SDK's own message, for the curious and for bug reports. */
  detail: string;
}

/** A fetch that never reached a server: the browser's own words for it (Chromium, Firefox, Safari). */
const NETWORK_FAILURE = /failed to fetch|networkerror|network error|load failed|err_internet_disconnected/i;

/** Downloads that fail for want of a network, in plain words: offline, or the server out of reach. */
function networkAdvice(detail: string, online: boolean): string | undefined {
  if (!online)
    return 'this device is offline. Connect to the internet and try again; models downloaded before still work offline.';
  if (NETWORK_FAILURE.test(detail))
    return 'the download server could not be reached. Check the internet connection and try again.';
  return undefined;
}

/**
 * A sync server that answered, but with a refusal or an error (`details.status` of a `SYNC_FAILED`):
 * "did not answer" would send the person looking at the wrong thing. `undefined` when it never answered.
 */
function syncServerAdvice(status: unknown): string | undefined {
  if (typeof status !== 'number' || status < 400) return undefined;
  if (status === 401 || status === 403)
    return 'the sync server refused this device’s login. Check the address, and that the server lets this profile’s user in.';
  if (status === 404) return 'the sync server has no database at that address. Check the address: it is the server’s root.';
  if (status === 413)
    return 'the sync server refused a request as too large. Raise its upload limit (nginx: client_max_body_size); the rest keeps syncing.';
  if (status >= 500) return `the sync server failed (error ${status}). Try again later; your memories stay on this device.`;
  return `the sync server refused the request (error ${status}). Check its address and its log.`;
}

export function describeError(action: Action, error: unknown, online = globalThis.navigator?.onLine ?? true): FriendlyError {
  const code = isMemoryError(error) ? error.code : 'INTERNAL';
  const detail = error instanceof Error ? error.message : String(error);
  const downloading = action === 'model' && (code === 'MODEL_NOT_FOUND' || code === 'MODEL_LOAD_FAILED' || code === 'INTERNAL');
  const advice =
    (downloading && networkAdvice(detail, online)) ||
    (isMemoryError(error) && error.code === 'SYNC_FAILED' && syncServerAdvice(error.details?.['status'])) ||
    (isMemoryError(error) && ADVICE[error.code]) ||
    `${lowerFirst(detail.replace(/\.$/, ''))}.`;
  return { sentence: `${DOING[action]}: ${advice}`, code, detail };
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/** The start of a text, on one line, for a message or a list (`…` when cut). */
export function excerpt(text: string, length = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= length ? line : `${line.slice(0, length - 1).trimEnd()}…`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** `undefined` while the total is unknown. */
export function percentOf(loaded: number, total: number): number | undefined {
  return total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : undefined;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Bytes as a person reads them. */
export function bytes(count: number): string {
  if (count < 1024) return `${count} B`;
  if (count < 1_048_576) return `${(count / 1024).toFixed(1)} KB`;
  if (count < 1_073_741_824) return `${(count / 1_048_576).toFixed(1)} MB`;
  return `${(count / 1_073_741_824).toFixed(2)} GB`;
}

/** Seconds as `1 min 20 s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function when(time: number): string {
  return Number.isFinite(time) ? dateFormat.format(time) : 'unknown time';
}

/** The `datetime` attribute of a time (empty for a time that is not a number: a damaged record). */
export function isoTime(time: number): string {
  return Number.isFinite(time) ? new Date(time).toISOString() : '';
}
