/**
 * The PouchDB replica against a real server: records written many at once read back as written,
 * and the changes another writer (another tab) made are reported, its own writes not. What a
 * dropping network does to it is in replica-network.test.ts.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import { deriveSyncKeys, generateSyncKey } from '../../../src/sync/keys';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import type { ReplicationEvents } from '../../../src/sync/port';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

const quiet: ReplicationEvents = { onTransfer() {}, onPaused() {}, onActive() {}, onLocalChange() {} };

describe('PouchDB replica', () => {
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
