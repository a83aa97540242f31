/**
 * Sync with a server that needs a login (`auth`), as a CouchDB with a per-database user: a real
 * pouchdb-server on loopback with an admin, its `_users` database and a database `_security`. Only
 * the admin may create the user and database a sync key derives, so after `enable`, and again after
 * a device removal (a new key), every device says what the admin must create, keeps its changes,
 * and syncs by itself once the admin has created them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MemoryClient, SyncServerAccount } from '../../../src/sdk/index';
import { useSyncServer } from '../../support/sync-server';
import { adminCommands } from '../../../src/app/state/server-setup';
import { createDevice as create, texts } from './devices-setup';

const server = useSyncServer();
const ADMIN = `Basic ${Buffer.from('admin:admin-secret').toString('base64')}`;

/** A request to the server as its admin. */
async function asAdmin(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, server()), {
    method,
    headers: { authorization: ADMIN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}

/** What the admin does for a profile: its user, */
async function createUser({ username, password }: SyncServerAccount) {
  await asAdmin('PUT', `_users/org.couchdb.user:${username}`, { name: username, password, roles: [], type: 'user' });
}

/** its database, with the user its only member. */
async function createDatabase({ username, database }: SyncServerAccount) {
  await asAdmin('PUT', database);
  await asAdmin('PUT', `${database}/_security`, {
    admins: { names: [], roles: [] },
    members: { names: [username], roles: [] },
  });
}

/** What Settings shows the admin to run (curl), run as that admin: each command must succeed. */
async function runAdminCommands(account: SyncServerAccount) {
  const script = adminCommands(account).replaceAll('ADMIN:SECRET', 'admin:admin-secret');
  for (const line of script.split('\n').filter((command) => command.startsWith('curl '))) {
    const { stdout } = await promisify(execFile)('sh', ['-c', `${line} --noproxy '*' --fail-with-body --silent --show-error`]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true });
  }
}

const synced = async (client: MemoryClient) => {
  const status = await client.sync.status();
  return status.state === 'idle' && status.pending === 0 && status.serverSetup === undefined;
};
const waiting = async (client: MemoryClient) => (await client.sync.status()).serverSetup;

describe('sync with a server that needs a login', () => {
  beforeAll(async () => {
    // pouchdb-server starts as an "admin party"; from here on only the admin may create users and databases.
    const response = await fetch(new URL('_config/admins/admin', server()), {
      method: 'PUT',
      body: JSON.stringify('admin-secret'),
    });
    expect(response.ok).toBe(true);
  });

  it('says what the admin must create, keeps the changes meanwhile, and syncs once the admin has, after enable and after a removal', async () => {
    const tag = `login${Date.now()}`;
    const [a, b, c] = (await Promise.all(['a', 'b', 'c'].map((name) => create(`${tag}${name}`)))) as [
      MemoryClient,
      MemoryClient,
      MemoryClient,
    ];
    try {
      await a.memories.add('canary-lynx-1: the user keeps bees');
      await a.sync.enable({ url: server(), auth: true });
      const account = await a.sync.serverAccount();
      expect(account).toMatchObject({ url: server() });
      expect(account.password.length).toBeGreaterThan(20);

      // No user and no database yet: a typed error says which to create; changes wait here.
      await expect
        .poll(() => waiting(a), { timeout: 30_000 })
        .toMatchObject({
          database: account.database,
          username: account.username,
        });
      const refused = await a.sync.status();
      expect(refused.state).toBe('error');
      expect(refused.errors[0]).toMatchObject({ code: 'SYNC_SERVER_SETUP_NEEDED' });
      expect(refused.errors[0]!.message).toContain(account.username);
      expect(refused.errors[0]!.message).toContain(account.database);
      expect(refused.errors.filter((error) => error.code === 'SYNC_SERVER_SETUP_NEEDED')).toHaveLength(1);
      await a.memories.add('canary-lynx-2: added while the server waited for its admin');
      expect((await a.sync.status()).pending).toBeGreaterThan(0);

      // The admin creates the user: the database is still missing (a user may not create it).
      await createUser(account);
      await expect.poll(() => waiting(a).then((setup) => setup?.status), { timeout: 60_000 }).toBe(404);
      expect((await a.sync.status()).errors[0]!.message).toContain('no database');
      // Then the database: A syncs by itself; the others join with its pairing code.
      await createDatabase(account);
      await expect.poll(() => synced(a), { timeout: 60_000 }).toBe(true);
      const code = await a.sync.pairingCode();
      await b.sync.join(code);
      await c.sync.join(code);
      const both = ['canary-lynx-1: the user keeps bees', 'canary-lynx-2: added while the server waited for its admin'];
      await expect.poll(() => texts(b), { timeout: 60_000 }).toEqual(both);
      const ids = await Promise.all([a, b, c].map(async (client) => (await client.sync.status()).device!));
      for (const client of [a, b, c]) {
        await expect.poll(async () => (await client.sync.devices()).length, { timeout: 60_000 }).toBe(3);
      }

      // A removes C: a new key, so a new user and database, which only the admin may create.
      await a.sync.removeDevice(ids[2]!);
      const next = await a.sync.serverAccount();
      expect(next.database).not.toBe(account.database);
      expect(next.username).not.toBe(account.username);
      await expect.poll(() => waiting(a), { timeout: 30_000 }).toMatchObject({ database: next.database });
      await expect.poll(() => c.sync.status().then((status) => status.state), { timeout: 60_000 }).toBe('removed');
      await expect.poll(() => b.sync.serverAccount().then((moved) => moved.database), { timeout: 60_000 }).toBe(next.database);
      await expect.poll(() => waiting(b), { timeout: 30_000 }).toMatchObject({ username: next.username });
      await a.memories.add('canary-lynx-3: added while the new database did not exist');
      await b.memories.add('canary-lynx-4: added on B meanwhile');

      await runAdminCommands(next);
      const all = [...both, 'canary-lynx-3: added while the new database did not exist', 'canary-lynx-4: added on B meanwhile'];
      await expect.poll(() => texts(b), { timeout: 60_000 }).toEqual(all.sort());
      await expect.poll(() => texts(a), { timeout: 60_000 }).toEqual(all.sort());
      await expect.poll(() => synced(a), { timeout: 60_000 }).toBe(true);
      await expect.poll(() => synced(b), { timeout: 60_000 }).toBe(true);
      expect(await texts(c)).toEqual(both);
      // The new database is the new user's only: the old user may not read it.
      const oldLogin = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;
      const denied = await fetch(new URL(`${next.database}/_all_docs`, server()), { headers: { authorization: oldLogin } });
      expect([401, 403]).toContain(denied.status);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
