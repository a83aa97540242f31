/**
 * A fake Storage Buckets manager for Node tests: each bucket is a fake-indexeddb factory of its
 * own, as each Chromium bucket is a LevelDB of its own. `fakeBuckets()` installs it as
 * `navigator.storageBuckets` (undo with `vi.unstubAllGlobals()`) and returns the buckets by name.
 */
import { IDBFactory } from 'fake-indexeddb';
import { vi } from 'vitest';
import type { BucketManager } from '../../src/storage/location';

export function fakeBuckets(): Map<string, IDBFactory> {
  const buckets = new Map<string, IDBFactory>();
  const manager: BucketManager = {
    open: async (name) => {
      if (!buckets.has(name)) buckets.set(name, new IDBFactory());
      return { indexedDB: buckets.get(name)! };
    },
    delete: async (name) => void buckets.delete(name),
    keys: async () => [...buckets.keys()],
  };
  vi.stubGlobal('navigator', { storageBuckets: manager });
  return buckets;
}
