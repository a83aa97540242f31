/**
 * The PouchDB replica against a real server through an HTTP proxy that fails chosen requests:
 * a connection lost while PouchDB's replication asks the server for its progress figures must not
 * surface as an unhandled rejection (found by the `sync` hardening suite: pouchdb-replication 9
 * calls the source's `info()` after each batch without handling its failure).
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSyncKeys, generateSyncKey } from '../../../src/sync/keys';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import type { ReplicationEvents } from '../../../src/sync/port';
import { startHttpProxy } from '../../support/http-proxy';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

/** Forwards to the server, except that once a `_changes` request went by it drops `GET /<db>/`. */
async function startInfoDroppingProxy(target: string) {
  const seen = { changes: 0, dropped: 0, after: 0 };
  const proxy = await startHttpProxy(target, (incoming) => {
    const path = incoming.url ?? '/';
    if (path.includes('/_changes')) seen.changes++;
    if (seen.dropped > 0) seen.after++;
    if (incoming.method !== 'GET' || !/^\/[a-z0-9]+\/?$/.test(path) || seen.changes === 0) return false;
    seen.dropped++;
    incoming.socket.destroy();
    return true;
  });
  return { url: proxy.url, seen, close: proxy.close };
}

const quiet: ReplicationEvents = { onTransfer() {}, onPaused() {}, onActive() {}, onLocalChange() {} };

describe('PouchDB replica', () => {
  let proxy: Awaited<ReturnType<typeof startInfoDroppingProxy>>;
  beforeAll(async () => {
    proxy = await startInfoDroppingProxy(server());
  });
  afterAll(() => proxy.close());

  it('pulls through a server whose progress answers are cut, without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const keys = await deriveSyncKeys(generateSyncKey());
    const options = { url: server(), keys, adapter: 'memory', plugins: [memoryAdapter] };
    const writer = await createPouchReplica({ ...options, name: `writer${Date.now()}` });
    const reader = await createPouchReplica({ ...options, name: `reader${Date.now()}`, url: proxy.url });
    try {
      await writer.put('memory:w:1', { text: 'sealed on the way' });
      writer.start(quiet);
      reader.start(quiet);
      await expect.poll(() => reader.get(['memory:w:1'])).toEqual([{ text: 'sealed on the way' }]);
      // The progress request after the batch was dropped, and replication went on asking since.
      await expect.poll(() => proxy.seen.dropped).toBeGreaterThan(0);
      await expect.poll(() => proxy.seen.after).toBeGreaterThan(1);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await writer.destroy();
      await reader.destroy();
    }
  });

  it('writes many records at once: new ones and replacements, each sealed and read back as written', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const replica = await createPouchReplica({
      name: `many${Date.now()}`,
      url: server(),
      keys,
      adapter: 'memory',
      plugins: [memoryAdapter],
    });
    try {
      const names = Array.from({ length: 300 }, (_, i) => `memory:d:${i}`);
      await replica.put(names[7]!, { text: 'written alone first' });
      const first = await replica.putMany(names.map((name, i) => ({ name, body: { text: `first ${i}` } })));
      expect(new Set(first).size).toBe(300);
      const ids = await replica.putMany(names.map((name, i) => ({ name, body: { text: `second ${i}` } })));
      expect(ids).toEqual(first);
      expect(await replica.get(names)).toEqual(names.map((_, i) => ({ text: `second ${i}` })));
      const { changes } = await replica.changes(undefined);
      expect(changes).toHaveLength(300);
      expect(changes.every((change) => 'body' in change && (change.body as { text: string }).text.startsWith('second'))).toBe(
        true,
      );
    } finally {
      await replica.destroy();
    }
  });

  it('reports changes another writer made to the replica, not its own writes', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const options = { name: `own${Date.now()}`, url: 'http://127.0.0.1:9/', keys, adapter: 'memory', plugins: [memoryAdapter] };
    const mine = await createPouchReplica(options);
    const otherTab = await createPouchReplica(options);
    let reported = 0;
    mine.start({ ...quiet, onLocalChange: () => reported++ });
    try {
      await mine.put('memory:d:1', { text: 'mine' });
      await mine.putMany([{ name: 'memory:d:2', body: { text: 'mine too' } }]);
      await otherTab.put('memory:d:3', { text: 'from the other tab' });
      await expect.poll(() => reported).toBe(1);
      // The replica's own writes are in its changes all the same (the readers' positions move past them).
      const { changes } = await mine.changes(undefined);
      expect(changes.map((change) => ('body' in change ? change.body : undefined))).toEqual([
        { text: 'mine' },
        { text: 'mine too' },
        { text: 'from the other tab' },
      ]);
    } finally {
      await mine.destroy();
      await otherTab.stop().catch(() => undefined);
    }
  });
});
