/**
 * The replica on a network that drops connections: after every batch it pulls, PouchDB's
 * replicator asks the server for the database's info (for its progress figures) without handling
 * a failure. A connection reset at that moment must not become an unhandled rejection (it ended a
 * test run with exit 1 though every test passed); replication carries on (found by the `sync`
 * hardening suite in pouchdb-replication 9, which calls the source's `info()` without a catch).
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import { deriveSyncKeys, generateSyncKey } from '../../../src/sync/keys';
import type { SyncReplica } from '../../../src/sync/port';
import { startHttpProxy } from '../../support/http-proxy';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

/** An HTTP proxy on loopback that, once armed, resets the connection of every `GET <path>`. */
async function resettingProxy(target: string) {
  let armed: string | undefined;
  let resets = 0;
  let after = 0;
  const proxy = await startHttpProxy(target, (req) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (armed !== undefined && req.method === 'GET' && path === armed) {
      resets++;
      req.socket.destroy();
      return true;
    }
    if (resets > 0) after++;
    return false;
  });
  return {
    url: proxy.url,
    arm: (path: string) => (armed = path),
    /** Connections reset, and requests served after the first reset. */
    counts: () => ({ resets, after }),
    close: proxy.close,
  };
}

describe('the replica on a dropping network', () => {
  const unhandled: unknown[] = [];
  const note = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => void process.on('unhandledRejection', note));
  afterAll(() => void process.off('unhandledRejection', note));

  it('leaves no unhandled rejection when the server info request after a pulled batch is reset, and keeps pulling what was written', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const proxy = await resettingProxy(server());
    const quiet = { onTransfer() {}, onPaused() {}, onActive() {}, onLocalChange() {} };
    const open = (name: string, url: string) =>
      createPouchReplica({ name: `${name}${Date.now()}`, url, keys, adapter: 'memory', plugins: [memoryAdapter] });
    let writer: SyncReplica | undefined;
    let reader: SyncReplica | undefined;
    try {
      writer = await open('writer', server());
      reader = await open('reader', proxy.url);
      writer.start(quiet);
      reader.start(quiet);
      const names = async () => (await reader!.changes(undefined)).changes.length;
      await writer.put('first', { n: 1 });
      await expect.poll(names).toBe(1);

      // From now on the info request (GET /<database>/) is reset; documents still flow.
      proxy.arm(`/${keys.database}/`);
      await writer.put('second', { n: 2 });
      await expect.poll(names).toBe(2);
      await expect.poll(() => proxy.counts().resets).toBeGreaterThan(0);
      await writer.put('third', { n: 3 });
      await expect.poll(names).toBe(3);
      await expect.poll(() => proxy.counts().after).toBeGreaterThan(0);
      // What came through the resets reads back as written.
      expect(await reader.get(['first', 'second', 'third'])).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(unhandled).toEqual([]);
    } finally {
      await writer?.stop();
      await reader?.stop();
      await proxy.close();
    }
  });
});
