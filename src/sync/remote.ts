/**
 * The sync server as the replica reaches it: the remote database of a profile (PouchDB's HTTP
 * adapter), the read-only check that a profile is there, the failures of its requests as a
 * `SYNC_FAILED`, and a watch on the requests that carry a batch (what a body limit or a cut
 * connection does to a push, what a network that cuts long answers does to a pull), for the batch
 * size policy (batch-size.ts).
 */
import { MemoryError } from '../sdk/errors';
import { open } from './envelope';
import type { SyncKeys } from './keys';
import { loadPouch, type Pouch, type PouchDBClass } from './pouch-load';

export const status = (error: unknown) => (error as { status?: number } | undefined)?.status;

/** The sizes a refusal as too large (413) carries in `details`, besides `status`. */
const SIZES = ['records', 'bytes', 'largest'] as const;

export function syncFailure(error: unknown): MemoryError {
  if (error instanceof MemoryError) return error;
  const message = (error as { message?: string } | undefined)?.message ?? String(error);
  const code = status(error);
  const details: Record<string, unknown> = code ? { status: code } : {};
  for (const size of SIZES) {
    const value = (error as Record<string, unknown> | undefined)?.[size];
    if (typeof value === 'number') details[size] = value;
  }
  return new MemoryError('SYNC_FAILED', `The sync server: ${code ? `${code} ` : ''}${message}`, { details });
}

/** Where a profile's sealed records live on a server, and how to log in there. */
export interface RemoteOptions {
  /** Server URL (the CouchDB root, e.g. `https://couch.example.org/`). */
  url: string;
  keys: SyncKeys;
  /** Sends the credentials derived from the sync key (a CouchDB with a per-database user). */
  auth?: boolean;
}

/**
 * What the requests carrying a batch met. A push (`_bulk_docs`) carries it in its body, which a body
 * limit refuses and a cut connection loses; a pull carries it in its answers (`_changes`, then
 * `_bulk_get`), which a network that drops long transfers cuts midway. A body limit meets only a
 * pull's small requests (the ids and revisions asked for).
 */
export interface BatchWatch {
  /** The server refused a pushed batch as too large (413). */
  refused(): void;
  /** A push's request was lost on the way (connection cut or reset), or a pull's answer midway. */
  lost(direction: 'push' | 'pull'): void;
}

type Fetch = (url: string, init?: { method?: string; body?: unknown }) => Promise<Response>;

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 1_048_576 ? 2 : 1)} MB`;

/** A 413 as PouchDB reads an error (CouchDB's JSON), naming the request's size and its largest record. */
function tooLarge(body: unknown): Response {
  const text = typeof body === 'string' ? body : '';
  const encoder = new TextEncoder();
  const docs = (JSON.parse(text || '{}') as { docs?: unknown[] }).docs ?? [];
  const bytes = encoder.encode(text).length;
  const largest = Math.max(0, ...docs.map((doc) => encoder.encode(JSON.stringify(doc)).length));
  const what =
    docs.length === 1
      ? `a record of ${megabytes(largest)}`
      : `a batch of ${docs.length} records (${megabytes(bytes)}, the largest ${megabytes(largest)})`;
  const reason = `Request Entity Too Large: ${what} is more than it accepts in one request`;
  const answer = { error: 'request_entity_too_large', reason, records: docs.length, bytes, largest };
  return new Response(JSON.stringify(answer), { status: 413, headers: { 'Content-Type': 'application/json' } });
}

/**
 * A pull's answer carrying a batch: the documents asked for, or a batch of the changes feed (the live
 * feed's long poll is not one: it waits for news, and its answers are short).
 */
function pullsBatch(url: URL, method: string | undefined): boolean {
  if (url.pathname.endsWith('/_bulk_get')) return method === 'POST';
  return url.pathname.endsWith('/_changes') && !url.searchParams.has('feed');
}

/**
 * A pull's answer read whole here, so an answer cut midway is seen as the batch lost (PouchDB would
 * only see a body that does not parse); a request that gets no answer at all says nothing of the size.
 */
async function readWhole(fetch: Fetch, url: string, init: Parameters<Fetch>[1], watch: BatchWatch): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) return response;
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    watch.lost('pull');
    throw error;
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** `fetch` reporting to `watch` what happened to the requests carrying a batch. */
function watchBatches(fetch: Fetch, watch: BatchWatch): Fetch {
  return async (url, init) => {
    const to = new URL(url);
    if (pullsBatch(to, init?.method)) return readWhole(fetch, url, init, watch);
    if (init?.method !== 'POST' || !to.pathname.endsWith('/_bulk_docs')) return fetch(url, init);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      watch.lost('push');
      throw error;
    }
    if (response.status !== 413) return response;
    watch.refused();
    return tooLarge(init.body);
  };
}

/** The profile's database on the server; `watch` sees what the requests carrying a batch meet. */
export function remoteDatabase(PouchDB: PouchDBClass, options: RemoteOptions, setup: boolean, watch?: BatchWatch): Pouch {
  const { keys } = options;
  const url = new URL(keys.database, options.url.endsWith('/') ? options.url : `${options.url}/`).href;
  return new PouchDB(url, {
    adapter: 'http',
    ...(setup ? {} : { skip_setup: true }),
    ...(options.auth ? { auth: { username: keys.username, password: keys.password } } : {}),
    ...(watch ? { fetch: watchBatches((to, init) => PouchDB.fetch(to, init), watch) } : {}),
  });
}

/**
 * Checks, reading only, that the server holds a profile synced with these keys: its database
 * exists (its name derives from the sync key) and a record of it opens. Another key finds no
 * database, or one it may not read: `INVALID_ARGUMENT` (`details.reason` `no-profile`); a record
 * that does not open: `SYNC_ENVELOPE_INVALID`; no answer: `SYNC_FAILED`.
 */
export async function checkRemote(options: RemoteOptions): Promise<void> {
  const PouchDB = await loadPouch('http', []);
  const remote = remoteDatabase(PouchDB, options, false);
  try {
    const { rows } = await remote.allDocs({ limit: 1, include_docs: true });
    if (rows[0]?.doc) await open(options.keys, rows[0].doc);
  } catch (error) {
    const code = status(error);
    if (code === 404 || code === 401 || code === 403) {
      throw new MemoryError(
        'INVALID_ARGUMENT',
        'No profile on this server syncs with these words: check them, and the server address',
        {
          details: { reason: 'no-profile', status: code },
        },
      );
    }
    throw syncFailure(error);
  } finally {
    await remote.close().catch(() => undefined);
  }
}
