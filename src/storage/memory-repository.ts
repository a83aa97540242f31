/**
 * The {@link MemoryStore} port over Dexie. An item and its vector change in one transaction:
 * both land or neither does. Storage failures become MemoryError (`QUOTA_EXCEEDED`,
 * `STORAGE_FAILED`), and the in-memory slot map is dropped so nothing half-written is believed.
 */
import { toMemoryError } from '../sdk/errors';
import type { MemoryItem } from '../sdk/types';
import type { MemoryStore } from '../core/ports';
import type { MnemeDatabase } from './db';
import { VectorChunks } from './vector-chunks';

export function createMemoryRepository(db: MnemeDatabase): MemoryStore {
  const chunks = new VectorChunks(db);
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      chunks.invalidate();
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  const write = <T>(work: () => Promise<T>) => guard(() => db.transaction('rw', db.memories, db.vectorChunks, db.settings, work));

  return {
    putMany: (items, vectors) =>
      write(async () => {
        await db.memories.bulkPut(items);
        const unembedded = items.filter((item) => item.embeddingModel === undefined).map((item) => item.id);
        if (unembedded.length > 0) await chunks.remove(unembedded);
        await chunks.upsert(vectors);
      }),
    get: (id) => guard(() => db.memories.get(id)),
    getMany: (ids) => guard(() => db.memories.bulkGet(ids)),
    list: ({ kinds, order, limit, offset }) =>
      guard(async () => {
        let collection = db.memories.orderBy('createdAt');
        if (order === 'newest') collection = collection.reverse();
        if (kinds) collection = collection.filter((item: MemoryItem) => kinds.includes(item.kind));
        return collection.offset(offset).limit(limit).toArray();
      }),
    all: () => guard(() => db.memories.orderBy('createdAt').toArray()),
    vectors: (model) => guard(() => chunks.load(model)),
    deleteMany: (ids) =>
      write(async () => {
        await db.memories.bulkDelete(ids);
        await chunks.remove(ids);
      }),
    count: () => guard(() => db.memories.count()),
    close: async () => db.close(),
  };
}
