import { describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { openDatabase, VECTORS_PER_CHUNK } from '../../../src/storage/db';
import { createMemoryRepository } from '../../../src/storage/memory-repository';
import type { MemoryItem } from '../../../src/sdk/types';
import type { StoredVector } from '../../../src/core/ports';

let dbCounter = 0;
const freshName = () => `repo-test-${Date.now()}-${dbCounter++}`;
const item = (id: string, embeddingModel?: string): MemoryItem => ({
  id,
  text: `memory ${id}`,
  kind: 'note',
  importance: 0.5,
  pinned: false,
  createdAt: 1000 + Number(id.replace(/\D/g, '') || 0),
  updatedAt: 1000,
  validFrom: 1000,
  metadata: {},
  ...(embeddingModel ? { embeddingModel } : {}),
});
/** Stored vectors are float16: equal to 1e-3. */
const expectClose = (got: Float32Array, want: Float32Array) => {
  expect(got).toHaveLength(want.length);
  got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 3));
};
const vec = (id: string, seed: number, dim = 8, model = 'm'): StoredVector => ({
  id,
  model,
  vector: Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 31 + i)),
});

describe('memory repository over Dexie', () => {
  it('packs vectors into chunk rows, not one row per vector', async () => {
    const name = freshName();
    const db = openDatabase(name);
    const repo = createMemoryRepository(db);
    const n = VECTORS_PER_CHUNK * 2 + 10;
    const ids = Array.from({ length: n }, (_, i) => `i${i}`);
    await repo.putMany(
      ids.map((id) => item(id, 'm')),
      ids.map((id, i) => vec(id, i)),
    );
    expect(await db.vectorChunks.count()).toBe(3);
    const loaded = await repo.vectors('m');
    expect(loaded).toHaveLength(n);
    const byId = new Map(loaded.map((v) => [v.id, v.vector]));
    expectClose(byId.get('i300')!, vec('i300', 300).vector);
    const [first] = await db.vectorChunks.toArray();
    expect(first).toMatchObject({ encoding: 'f16' });
    expect(first!.data.byteLength).toBe(VECTORS_PER_CHUNK * 8 * 2);
    await repo.close();
  });

  it('gives the chunks as stored (float16 bits, freed slots as null) and leaves out one that does not open or is cut short', async () => {
    const name = freshName();
    const db = openDatabase(name);
    const repo = createMemoryRepository(db);
    const ids = Array.from({ length: VECTORS_PER_CHUNK * 3 }, (_, i) => `i${i}`);
    await repo.putMany(
      ids.map((id) => item(id, 'm')),
      ids.map((id, i) => vec(id, i)),
    );
    await repo.deleteMany(['i1']);
    const [, second, third] = await db.vectorChunks.orderBy('[model+chunk]').toArray();
    await db.vectorChunks.put({ ...second!, data: second!.data.slice(1) }); // odd length: does not open as float16
    await db.vectorChunks.put({ ...third!, data: third!.data.slice(0, third!.data.byteLength - 2) }); // one value short
    const chunks = await repo.vectorChunks('m');
    expect(chunks).toHaveLength(1);
    const [chunk] = chunks;
    expect(chunk!.dimension).toBe(8);
    expect(chunk!.ids.slice(0, 3)).toEqual(['i0', null, 'i2']);
    expect(chunk!.half).toHaveLength(VECTORS_PER_CHUNK * 8);
    expectClose(chunk!.floats().subarray(2 * 8, 3 * 8), vec('i2', 2).vector);
    expect((await repo.vectors('m')).map((v) => v.id)).toEqual(ids.slice(0, VECTORS_PER_CHUNK).filter((id) => id !== 'i1'));
    await repo.close();
  });

  it('frees a deleted vector slot, reuses it, and reads the same after reopening', async () => {
    const name = freshName();
    const repo = createMemoryRepository(openDatabase(name));
    await repo.putMany([item('a', 'm'), item('b', 'm'), item('c', 'm')], [vec('a', 1), vec('b', 2), vec('c', 3)]);
    await repo.deleteMany(['b']);
    await repo.putMany([item('d', 'm')], [vec('d', 4)]);
    await repo.putMany([item('a', 'm')], [vec('a', 9)]);
    await repo.close();

    const db = openDatabase(name);
    const reopened = createMemoryRepository(db);
    const vectors = new Map((await reopened.vectors('m')).map((v) => [v.id, v.vector]));
    expect([...vectors.keys()].sort()).toEqual(['a', 'c', 'd']);
    expectClose(vectors.get('a')!, vec('a', 9).vector);
    const [chunk] = await db.vectorChunks.toArray();
    expect(chunk!.ids).toEqual(['a', 'd', 'c']);
    expect(await reopened.count()).toBe(3);
    await reopened.close();
  });

  it('drops the vector when an item is stored again without one (its text changed, no embedder)', async () => {
    const repo = createMemoryRepository(openDatabase(freshName()));
    await repo.putMany([item('a', 'm')], [vec('a', 1)]);
    await repo.putMany([item('a')], []);
    expect(await repo.vectors('m')).toEqual([]);
    await repo.close();
  });

  it('writes an item and its vector together or not at all', async () => {
    const repo = createMemoryRepository(openDatabase(freshName()));
    await repo.putMany([item('a', 'm')], [vec('a', 1, 8)]);
    const failure = await repo.putMany([item('b', 'm')], [vec('b', 2, 5)]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'MemoryError', code: 'INVALID_ARGUMENT' });
    expect(await repo.get('b')).toBeUndefined();
    expect((await repo.vectors('m')).map((v) => v.id)).toEqual(['a']);
    await repo.close();
  });

  it('writes the vectors of a bulk add into new chunks without reading chunk rows, and reads only a partly filled one', async () => {
    const db = openDatabase(freshName());
    /** The vector chunk rows each read of the vectorChunks table asked for (a query or a cursor counts as 'scan'). */
    const reads: unknown[] = [];
    db.use({
      stack: 'dbcore',
      name: 'count-chunk-reads',
      create: (down) => ({
        ...down,
        table: (tableName) => {
          const table = down.table(tableName);
          if (tableName !== 'vectorChunks') return table;
          return {
            ...table,
            get: (req) => (reads.push(req.key), table.get(req)),
            getMany: (req) => (reads.push(...req.keys), table.getMany(req)),
            query: (req) => (reads.push('scan'), table.query(req)),
            openCursor: (req) => (reads.push('scan'), table.openCursor(req)),
          };
        },
      }),
    });
    const repo = createMemoryRepository(db);
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => `v${from + i}`);
    const write = (ids: string[]) =>
      repo.putMany(
        ids.map((id) => item(id, 'm')),
        ids.map((id) => vec(id, Number(id.slice(1)))),
      );
    await write(batch(0, 10)); // the first write learns which models and slots there are
    reads.length = 0;
    await write(batch(10, VECTORS_PER_CHUNK * 2)); // the rest of chunk 0, all of chunk 1, 10 slots of chunk 2
    expect(reads).toEqual([['m', 0]]);
    reads.length = 0;
    await write(batch(10 + VECTORS_PER_CHUNK * 2, VECTORS_PER_CHUNK)); // fills chunk 2 and starts chunk 3
    expect(reads).toEqual([['m', 2]]);

    const total = 10 + VECTORS_PER_CHUNK * 3;
    const loaded = new Map((await repo.vectors('m')).map((v) => [v.id, v.vector]));
    expect(loaded.size).toBe(total);
    for (const at of [0, 9, 10, 255, 256, 521, 522, total - 1]) expectClose(loaded.get(`v${at}`)!, vec(`v${at}`, at).vector);
    expect((await db.vectorChunks.toArray()).map((row) => row.ids.length)).toEqual([256, 256, 256, 10]);
    await repo.close();
  });

  it("reads the chunks again after another tab wrote vectors, and keeps both tabs' vectors", async () => {
    const name = freshName();
    const [mine, theirs] = [createMemoryRepository(openDatabase(name)), createMemoryRepository(openDatabase(name))];
    await mine.putMany([item('a', 'm')], [vec('a', 1)]);
    await theirs.putMany([item('b', 'm'), item('c', 'n')], [vec('b', 2), vec('c', 3, 8, 'n')]);
    await mine.putMany([item('d', 'm'), item('c', 'm')], [vec('d', 4), vec('c', 5)]);
    expect((await mine.vectors('m')).map((v) => v.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await theirs.vectors('n')).toEqual([]); // c moved to model m: its old model's slot is freed
    await Promise.all([mine.close(), theirs.close()]);
  });

  it('turns a full disk into QUOTA_EXCEEDED and leaves no partial record', async () => {
    const db = openDatabase(freshName());
    const repo = createMemoryRepository(db);
    db.vectorChunks.hook('creating', () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const failure = await repo.putMany([item('a', 'm')], [vec('a', 1)]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ name: 'MemoryError', code: 'QUOTA_EXCEEDED' });
    expect(await repo.count()).toBe(0);
    await repo.close();
  });
});

describe('schema migrations', () => {
  it('upgrades a version-1 database (one row per vector) to the current version with nothing lost', async () => {
    const name = freshName();
    // Fixture: the version-1 schema exactly as it shipped, filled the way version 1 wrote it.
    const v1 = new Dexie(name);
    v1.version(1).stores({ memories: 'id, kind, createdAt, updatedAt', vectors: 'id, model', settings: 'key' });
    const items = Array.from({ length: 300 }, (_, i) => item(`m${i}`, 'model-a'));
    await v1.table('memories').bulkAdd(items);
    await v1
      .table('vectors')
      .bulkAdd(items.map((it, i) => ({ id: it.id, model: 'model-a', dim: 8, data: vec(it.id, i).vector.buffer })));
    await v1.table('settings').put({ key: 'theme', value: 'dark' });
    v1.close();

    const db = openDatabase(name);
    await db.open();
    expect(db.verno).toBe(4);
    expect(db.tables.map((t) => t.name)).not.toContain('vectors');
    const repo = createMemoryRepository(db);
    expect(await repo.count()).toBe(300);
    expect(await db.settings.get('theme')).toEqual({ key: 'theme', value: 'dark' });
    const vectors = new Map((await repo.vectors('model-a')).map((v) => [v.id, v.vector]));
    expect(vectors.size).toBe(300);
    expect([...vectors.get('m299')!]).toEqual([...vec('m299', 299).vector]); // migrated float32 stays exact
    expect(await db.vectorChunks.count()).toBe(2);
    await repo.close();
  });
});
