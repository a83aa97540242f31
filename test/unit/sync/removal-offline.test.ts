/**
 * A remaining device that was offline while another one was removed (pouchdb-server on loopback;
 * that device reaches it through a proxy the test cuts): what it changed meanwhile must not go to
 * the old database, where the removed device could still read it, but to the new one, and reach
 * the other devices there. When it comes back, the proxy refuses it the old database's changes
 * feed for a while, so its pull cannot bring the removal notice before its push would send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryClient } from '../../../src/sdk/index';
import { deriveSyncKeys, type SyncKeys } from '../../../src/sync/keys';
import { parsePairingCode } from '../../../src/sync/pairing';
import { startHttpProxy } from '../../support/http-proxy';
import { useSyncServer } from '../../support/sync-server';
import { createDevice as create, deviceIds, texts } from './devices-setup';

const server = useSyncServer();

/** The live documents of a server database. */
async function liveDocs(keys: SyncKeys) {
  const response = await fetch(new URL(`${keys.database}/_all_docs`, server()));
  return ((await response.json()) as { rows: { id: string }[] }).rows.map((row) => row.id);
}

/**
 * An HTTP proxy to the server: `down` drops every connection; `noFeed` answers 503 to requests for
 * that database's changes feed (the pull), forwarding the rest.
 */
async function startProxy(target: string) {
  const state = { down: false, noFeed: undefined as string | undefined };
  const proxy = await startHttpProxy(target, (incoming, outgoing) => {
    if (state.down) {
      incoming.socket.destroy();
      return true;
    }
    if (!state.noFeed || !(incoming.url ?? '/').startsWith(`/${state.noFeed}/_changes`)) return false;
    outgoing.writeHead(503, { 'content-type': 'application/json' });
    outgoing.end(JSON.stringify({ error: 'unavailable', reason: 'held by the test' }));
    return true;
  });
  return {
    url: proxy.url,
    state,
    cut() {
      state.down = true;
      proxy.dropAll();
    },
    close: proxy.close,
  };
}

describe('a device offline during a removal', () => {
  let network: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    network = await startProxy(server());
  });
  afterAll(() => network.close());

  it('sends what it changed offline to the new database only', async () => {
    const tag = `offline-removal${Date.now()}`;
    const [a, b, c] = (await Promise.all(['a', 'b', 'c'].map((name) => create(`${tag}${name}`)))) as [
      MemoryClient,
      MemoryClient,
      MemoryClient,
    ];
    try {
      await a.memories.add('canary-puffin-1: the user sails');
      await a.sync.enable({ url: server() });
      const code = await a.sync.pairingCode();
      // B reaches the same server through the proxy (the database derives from the key, not the address).
      await b.sync.join(await a.sync.recoveryPhrase(), { url: network.url });
      await c.sync.join(code);
      const ids = await Promise.all([a, b, c].map(async (client) => (await client.sync.status()).device!));
      for (const client of [a, b, c]) await expect.poll(() => deviceIds(client), { timeout: 30_000 }).toEqual([...ids].sort());
      await expect.poll(() => texts(b), { timeout: 30_000 }).toEqual(['canary-puffin-1: the user sails']);

      // B goes offline and changes things; meanwhile A removes C.
      network.cut();
      await expect.poll(() => b.sync.status().then((status) => status.state), { timeout: 30_000 }).toBe('offline');
      await b.memories.add('canary-puffin-2: written offline on B');
      const oldKeys = await deriveSyncKeys(parsePairingCode(code).syncKey);
      await a.sync.removeDevice(ids[2]!);
      await expect.poll(() => c.sync.status().then((status) => status.state), { timeout: 30_000 }).toBe('removed');
      const retired = await liveDocs(oldKeys);
      expect(retired).toHaveLength(1); // the notice

      // B comes back, but cannot read the old database's changes (where the notice is) for now.
      network.state.noFeed = oldKeys.database;
      network.state.down = false;
      // Until B has moved to the new key, or sent something to the old database (what must not happen).
      const { database } = await a.sync.serverAccount();
      const movedOrSent = async () =>
        (await b.sync.serverAccount().catch(() => undefined))?.database === database ||
        (await liveDocs(oldKeys)).length > retired.length;
      await expect.poll(movedOrSent, { timeout: 60_000 }).toBe(true);
      network.state.noFeed = undefined;
      // It moves to the new key, and what it wrote offline reaches A there.
      await expect.poll(() => b.sync.serverAccount().then((moved) => moved.database), { timeout: 60_000 }).toBe(database);
      await expect.poll(() => texts(a), { timeout: 60_000 }).toContain('canary-puffin-2: written offline on B');
      // The old database got none of it: still the notice alone.
      expect(await liveDocs(oldKeys)).toEqual(retired);
      expect(await texts(c)).toEqual(['canary-puffin-1: the user sails']);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
