/**
 * The PouchDB replica in real Chromium (IndexedDB adapter, bundled by Vite): records go in sealed
 * and come out opened, and the changes feed resumes from the position it returned.
 */
import { describe, expect, it } from 'vitest';
import { createPouchReplica } from '../../src/sync/pouch-replica';
import { deriveSyncKeys, generateSyncKey } from '../../src/sync/keys';

let counter = 0;

describe('PouchDB replica (IndexedDB)', () => {
  it('stores sealed records, reads them opened, and reports only what changed since a position', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const replica = await createPouchReplica({
      name: `replica-test-${Date.now()}-${counter++}`,
      url: 'http://127.0.0.1:9/',
      keys,
    });
    try {
      await replica.put('memory:dev:1', { text: 'first' });
      const first = await replica.changes(undefined);
      expect(first.changes.map((change) => ('body' in change ? change.body : change.error))).toEqual([{ text: 'first' }]);

      await replica.put('memory:dev:2', { text: 'second' });
      await replica.put('memory:dev:1', { text: 'first, edited' });
      await replica.writeLocal('since', first.last);
      const since = await replica.readLocal<string | number>('since');
      const next = await replica.changes(since);
      expect(next.changes.map((change) => ('body' in change ? change.body : change.error))).toEqual([
        { text: 'second' },
        { text: 'first, edited' },
      ]);
      expect((await replica.changes(next.last)).changes).toEqual([]);
      expect(await replica.get(['memory:dev:1', 'memory:dev:3'])).toEqual([{ text: 'first, edited' }, undefined]);
    } finally {
      await replica.destroy();
    }
  });
});
