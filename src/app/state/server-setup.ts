/**
 * What the admin of a sync server that needs a login runs to let this profile in (README, "Sync"):
 * CouchDB's HTTP API, as curl commands a person can paste, for the user and database the sync key
 * derives (see `client.sync.serverAccount()`).
 */
import type { SyncServerAccount } from '../../sdk/index';

/** A URL on the server, safe inside single quotes. */
const at = (base: string, path: string) => new URL(path, base.endsWith('/') ? base : `${base}/`).href.replaceAll("'", '%27');

/** The three requests that create the user, the database, and make the user the database's only member. */
export function adminCommands({ url, database, username, password }: SyncServerAccount): string {
  const json = (value: unknown) => `-H 'Content-Type: application/json' -d '${JSON.stringify(value).replaceAll("'", "'\\''")}'`;
  return [
    '# As the server admin (replace ADMIN:SECRET with your admin login):',
    `curl -u ADMIN:SECRET -X PUT '${at(url, `_users/org.couchdb.user:${username}`)}' ${json({ name: username, password, roles: [], type: 'user' })}`,
    `curl -u ADMIN:SECRET -X PUT '${at(url, database)}'`,
    `curl -u ADMIN:SECRET -X PUT '${at(url, `${database}/_security`)}' ${json({
      admins: { names: [], roles: [] },
      members: { names: [username], roles: [] },
    })}`,
  ].join('\n');
}
