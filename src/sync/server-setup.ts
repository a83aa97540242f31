/**
 * A server that needs a login (`auth`: a CouchDB with a per-database user). The user and the
 * database derive from the sync key, and only the server's admin may create them: after `enable`,
 * and again after a device removal (a new key, so a new user and database). Until then the server
 * refuses the login (401, or 403 for a user that is not the database's member) or has no database
 * (404): sync says what the admin must create and keeps every local change until it can send it.
 */
import { MemoryError } from '../sdk/errors';
import type { SyncServerAccount, SyncServerSetup } from '../sdk/sync';
import type { SyncKeys } from './keys';

/** The server's answers that mean this profile's user or database is not there (yet). */
const NOT_SET_UP = new Set([401, 403, 404]);

/** The user and database a sync key derives on a server. */
export const accountOf = (url: string, keys: SyncKeys): SyncServerAccount => ({
  url,
  database: keys.database,
  username: keys.username,
  password: keys.password,
});

/**
 * When `error` is such a server refusing this profile's login, or missing its database: what its
 * admin must create (waiting since `earlier` when it was the same, else since `now`), and the
 * error to report (`SYNC_SERVER_SETUP_NEEDED`). Undefined for any other failure, and without `auth`.
 */
export function setupNeeded(
  error: MemoryError,
  auth: boolean,
  keys: SyncKeys,
  now: number,
  earlier?: SyncServerSetup,
): { setup: SyncServerSetup; error: MemoryError } | undefined {
  const status = error.details?.status;
  if (!auth || typeof status !== 'number' || !NOT_SET_UP.has(status)) return undefined;
  const { database, username } = keys;
  const since = earlier?.database === database ? earlier.since : now;
  const answer = status === 404 ? 'it has no database for this profile' : 'it refused the login';
  return {
    setup: { database, username, status, since },
    error: new MemoryError(
      'SYNC_SERVER_SETUP_NEEDED',
      `The sync server needs its admin to create the user ${username} and the database ${database} (with that user as its member) before this device can sync (${answer}). Changes are kept here and sent then.`,
      { details: { database, username, status }, cause: error },
    ),
  };
}

/**
 * What a replication that paused on `error` shows: `offline` without an answer from the server
 * (or when the browser says so), else `error`, with the server setup it waits for when that is why.
 */
export function pausedOn(
  error: MemoryError,
  auth: boolean,
  keys: SyncKeys,
  now: number,
  earlier?: SyncServerSetup,
): { state: 'offline' | 'error'; error: MemoryError; setup?: SyncServerSetup } {
  const needed = setupNeeded(error, auth, keys, now, earlier);
  if (needed) return { state: 'error', ...needed };
  const answered = typeof error.details?.status === 'number' && error.details.status > 0;
  return { state: globalThis.navigator?.onLine === false || !answered ? 'offline' : 'error', error };
}
