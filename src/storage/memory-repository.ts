/** The {@link MemoryStore} port over Dexie. Items and their vectors change in one transaction. */
import { toMemoryError } from '../sdk/errors';
import type { MemoryItem } from '../sdk/types';
import type { MemoryStore, StoredVector } from '../core/ports';
import type { MnemeDatabase, VectorRow } from './db';

export function createMemoryRepository(db: MnemeDatabase): MemoryStore {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };

  return {
    putMany: (items, vectors) =>
      guard(() =>
        db.transaction('rw', db.memories, db.vectors, async () => {
          await db.memories.bulkPut(items);
          const unembedded = items.filter((item) => item.embeddingModel === undefined).map((item) => item.id);
          if (unembedded.length > 0) await db.vectors.bulkDelete(unembedded);
          if (vectors.length > 0) await db.vectors.bulkPut(vectors.map(toRow));
        }),
      ),
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
    vectors: (model) => guard(async () => (await db.vectors.where('model').equals(model).toArray()).map(fromRow)),
    deleteMany: (ids) =>
      guard(() =>
        db.transaction('rw', db.memories, db.vectors, async () => {
          await db.memories.bulkDelete(ids);
          await db.vectors.bulkDelete(ids);
        }),
      ),
    count: () => guard(() => db.memories.count()),
    close: async () => db.close(),
  };
}

function toRow({ id, model, vector }: StoredVector): VectorRow {
  const data = vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength) as ArrayBuffer;
  return { id, model, dim: vector.length, data };
}

function fromRow(row: VectorRow): StoredVector {
  return { id: row.id, model: row.model, vector: new Float32Array(row.data, 0, row.dim) };
}
