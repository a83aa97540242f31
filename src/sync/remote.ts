/**
 * The sync server as the replica reaches it: the remote database of a profile (PouchDB's HTTP
 * adapter), the read-only check that a profile is there, the failures of its requests as a
 * `SYNC_FAILED`, and a watch on the requests that carry a pushed batch (what a body limit or a cut
 * connection does to them), for the batch size policy (batch-size.ts).
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
 * What the requests carrying a pushed batch (`_bulk_docs`) met. Pulls are not watched: a body limit
 * meets only their small requests (the ids and revisions asked for), and PouchDB then fetches one
 * document at a time on its own.
 */
export interface BatchWatch {
  /** The server refused the request as too large (413). */
  refused(): void;
  /** The request was lost on the way (connection cut or reset). */
  lost(): void;
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

/** `fetch` reporting to `watch` what happened to the requests carrying a pushed batch. */
function watchBatches(fetch: Fetch, watch: BatchWatch): Fetch {
  return async (url, init) => {
    if (init?.method !== 'POST' || !new URL(url).pathname.endsWith('/_bulk_docs')) return fetch(url, init);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      watch.lost();
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
