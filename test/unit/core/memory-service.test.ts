import { describe, expect, it, vi } from 'vitest';
import { MemoryService, type MemoryServiceDeps } from '../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../src/sdk/options';
import type { MemoryItem } from '../../../src/sdk/types';
import { openDatabase } from '../../../src/storage/db';
import { createMemoryRepository } from '../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../src/storage/vector/flat-index';
import { loadVectors } from '../../../src/core/semantic/memory-ingest';
import type { BulkVectorIndex } from '../../../src/storage/vector/bulk-index';
import type { StoredVectorChunk, VectorIndex } from '../../../src/core/ports';
import { decodeFloat16, encodeFloat16 } from '../../../src/storage/float16';

const DAY = 86_400_000;

function deps(name: string, clock: { now: number }, built: string[]): MemoryServiceDeps {
  return {
    store: createMemoryRepository(openDatabase(name)),
    embedder: new EmbedderSlot(undefined),
    createLexicalIndex: (snapshot) => {
      built.push(snapshot ? 'restored' : 'new');
      return createLexicalIndex(snapshot);
    },
    createVectorIndex: (dimension) => createFlatIndex(dimension),
    clock: { now: () => clock.now },
    ranking: DEFAULT_RANKING,
    recencyHalfLifeDays: 30,
    embedBatchSize: 8,
  };
}

describe('lexical snapshot', () => {
  it('restores the lexical index from its snapshot and re-indexes only what changed behind it', async () => {
    const name = `snapshot-${Date.now()}`;
    const clock = { now: 10 * DAY };
    const built: string[] = [];
    const first = await MemoryService.open(deps(name, clock, built));
    const kept = await first.add({ text: 'The violin lessons are on Tuesday' });
    const doomed = await first.add({ text: 'The dentist appointment is on Friday' });
    await first.checkpoint();

    // Behind the snapshot's back (another tab, or a crash before the next checkpoint):
    const store = createMemoryRepository(openDatabase(name));
    const sneaked: MemoryItem = {
      ...kept,
      id: 'sneaked',
      text: 'Kayak rental by the harbour',
      createdAt: 1,
      updatedAt: 1,
      validFrom: 1,
    };
    await store.putMany([sneaked], []);
    // A row that vanished without the repository (a deletion through it drops the snapshot).
    const raw = openDatabase(name);
    await raw.memories.delete(doomed.id);
    raw.close();

    clock.now += DAY;
    const second = await MemoryService.open(deps(name, clock, built));
    expect(built).toEqual(['new', 'restored']);
    expect((await second.search('violin')).map((r) => r.item.id)).toEqual([kept.id]);
    expect((await second.search('kayak harbour')).map((r) => r.item.id)).toEqual(['sneaked']);
    expect(await second.search('dentist Friday')).toEqual([]);
  });

  it('takes a snapshot during a bulk addition only between batches, covering every memory it lists', async () => {
    const name = `snapshot-bulk-${Date.now()}`;
    const clock = { now: 3 * DAY };
    const service = await MemoryService.open(deps(name, clock, []));
    // 600 additions pass the 500 changes after which a snapshot is due, inside one batch.
    const added = await service.addMany(Array.from({ length: 600 }, (_, i) => ({ text: `Bulk note number ${i} about owls` })));
    const store = createMemoryRepository(openDatabase(name));
    const snapshot = await vi.waitFor(async () => {
      const stored = await store.readLexicalSnapshot();
      if (!stored) throw new Error('no snapshot yet');
      return stored;
    });
    // A snapshot listing fewer memories than its index holds is thrown away by the next open (a full re-index).
    expect(snapshot.ids.length).toBe(added.length);
    expect(createLexicalIndex(snapshot.data).size).toBe(added.length);
  });

  it('writes the lexical snapshot once after a bulk addition of several batches, never in the middle', async () => {
    const written: number[] = [];
    const options = deps(`snapshot-once-${Date.now()}`, { now: 4 * DAY }, []);
    const write = options.store.writeLexicalSnapshot.bind(options.store);
    options.store.writeLexicalSnapshot = (snapshot) => {
      written.push(snapshot.ids.length);
      return write(snapshot);
    };
    const service = await MemoryService.open(options);
    // Two batches of the ingest (1,024 and 276): a snapshot was due after the first.
    const added = await service.addMany(Array.from({ length: 1300 }, (_, i) => ({ text: `Bulk note ${i} about herons` })));
    await vi.waitFor(() => expect(written).toHaveLength(1));
    expect(written).toEqual([added.length]);
    // Searchable throughout: the last memory added is found whether or not it is indexed yet.
    expect((await service.search('note 1299 herons'))[0]?.item.id).toBe(added[1299]!.id);
  });

  it('indexes a bulk addition after its writes, not between them, and finds it meanwhile', async () => {
    const events: string[] = [];
    const options = deps(`snapshot-deferred-${Date.now()}`, { now: 4 * DAY }, []);
    const create = options.createLexicalIndex;
    options.createLexicalIndex = (snapshot) => {
      const index = create(snapshot);
      const defer = index.defer!.bind(index);
      index.defer = () => {
        events.push('held');
        const release = defer();
        return () => {
          events.push('released');
          release();
        };
      };
      return index;
    };
    const putMany = options.store.putMany.bind(options.store);
    options.store.putMany = (...args) => (events.push('write'), putMany(...args));
    const service = await MemoryService.open(options);
    const added = await service.addMany(Array.from({ length: 1300 }, (_, i) => ({ text: `Bulk note ${i} about plovers` })));
    expect(events).toEqual(['held', 'write', 'write', 'released']);
    expect((await service.search('note 1299 plovers'))[0]?.item.id).toBe(added[1299]!.id);
  });

  it('rebuilds from the texts when the snapshot does not match the memories', async () => {
    const name = `snapshot-bad-${Date.now()}`;
    const clock = { now: 5 * DAY };
    const built: string[] = [];
    const service = await MemoryService.open(deps(name, clock, built));
    await service.add({ text: 'Sourdough starter needs feeding' });
    const store = createMemoryRepository(openDatabase(name));
    await store.writeLexicalSnapshot({ takenAt: clock.now, ids: ['a', 'b'], versions: [1, 1], data: '{"broken": true' });
    const reopened = await MemoryService.open(deps(name, clock, built));
    expect((await reopened.search('sourdough'))[0]?.item.text).toBe('Sourdough starter needs feeding');
  });
});

describe('opening the vector index', () => {
  const f32 = (ids: (string | null)[], values: number[]): StoredVectorChunk => ({
    ids,
    dimension: values.length / ids.length,
    floats: () => Float32Array.from(values),
  });
  const f16 = (ids: (string | null)[], values: number[]): StoredVectorChunk => {
    const half = new Uint16Array(encodeFloat16(Float32Array.from(values)));
    return { ids, dimension: values.length / ids.length, half, floats: () => decodeFloat16(half) };
  };

  it('loads the stored chunks into one index that makes room for all of them at once, leaving out other lengths', () => {
    const made: BulkVectorIndex[] = [];
    const create = (dimension: number) => {
      const index = createFlatIndex(dimension, { initialCapacity: 1 });
      vi.spyOn(index, 'reserve');
      made.push(index);
      return index;
    };
    const chunks = [
      f32([null], [0, 0, 0, 0]), // emptied: does not set the dimension
      f32(['a', null], [1, 0, 0, 0, 0, 0]),
      f32(['short'], [0, 1]),
      f16([null, 'c'], [0, 0, 0, 0, 0, 1]),
    ];
    const index = loadVectors(chunks, create)!;
    expect(made).toEqual([index]);
    expect(index.dimension).toBe(3);
    expect(index.reserve).toHaveBeenCalledExactlyOnceWith(3);
    expect(index.size).toBe(2);
    expect(index.has('short')).toBe(false);
    expect(index.search(Float32Array.of(0, 0, 1), 1)).toEqual([{ id: 'c', score: 1 }]);
    expect(loadVectors([], create)).toBeUndefined();
    expect(loadVectors([f32([null, null], [0, 0, 0, 0])], create)).toBeUndefined();
  });

  it('loads float16 chunks into an index without upsertHalf, or one without upsertMany, to the same vectors', () => {
    const values = [0.6, -0.8, 0, 0.1, 0.2, 0.3, 1, 0, 0];
    const chunks = [f16(['a', null, 'b'], values), f32(['c'], [0, 0.5, -0.5])];
    const direct = loadVectors(chunks, (dimension) => createFlatIndex(dimension))!;
    const without = (...methods: string[]) => {
      const index: VectorIndex = createFlatIndex(3);
      for (const method of methods) Object.assign(index, { [method]: undefined });
      return index;
    };
    const decoded = loadVectors(chunks, () => without('upsertHalf'))!;
    const oneByOne = loadVectors(chunks, () => without('upsertHalf', 'upsertMany'))!;
    for (const index of [direct, decoded, oneByOne]) {
      expect(index.has('a') && index.has('b') && index.has('c')).toBe(true);
      expect([...index.vector!('a')!]).toEqual([...decodeFloat16(encodeFloat16(Float32Array.of(0.6, -0.8, 0)))]);
      expect([...index.vector!('b')!]).toEqual([1, 0, 0]);
      expect([...index.vector!('c')!]).toEqual([0, 0.5, -0.5]);
    }
  });
});
