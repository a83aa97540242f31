/**
 * The VectorIndex contract, run over every implementation (flat, int8 with both scans, voy) in
 * Node (test/unit/storage/vector-indexes.test.ts) and in Chromium (test/browser/…).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createVectorIndex, VECTOR_INDEX_KINDS, type BulkVectorIndex } from '../../src/storage/vector/index';
import { decodeFloat16, encodeFloat16 } from '../../src/storage/float16';
import { random } from '../support/random';

export interface VectorIndexCase {
  name: string;
  create(dimension: number): Promise<BulkVectorIndex>;
}

export const VECTOR_INDEX_CASES: VectorIndexCase[] = [
  ...VECTOR_INDEX_KINDS.map((kind) => ({ name: kind, create: (dimension: number) => createVectorIndex(kind, dimension) })),
  { name: 'int8 (JS scan)', create: (dimension) => createVectorIndex('int8', dimension, { kernel: 'js' }) },
];

const unit = (values: ArrayLike<number>) => {
  let norm = 0;
  for (let i = 0; i < values.length; i++) norm += values[i]! * values[i]!;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(values, (x) => x / norm);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const packed = (vectors: Float32Array[]) => {
  const out = new Float32Array(vectors.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of vectors) {
    out.set(v, at);
    at += v.length;
  }
  return out;
};

const gaussian = (rnd: () => number) => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());

/** Unit vectors around `clusters` random centres (none: isotropic), the centre weighted `spread`. */
function dataset(n: number, dim: number, seed: number, clusters = 0, spread = 2): Float32Array[] {
  const rnd = random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => gaussian(rnd)));
  return Array.from({ length: n }, (_, i) => {
    const centre = centres[i % Math.max(clusters, 1)];
    return unit(Array.from({ length: dim }, (_, d) => (centre ? centre[d]! * spread : 0) + gaussian(rnd)));
  });
}

function exactTop(vectors: Map<string, Float32Array>, query: Float32Array, k: number) {
  return [...vectors]
    .map(([id, v]) => ({ id, score: dot(v, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

function recallAt10(index: BulkVectorIndex, vectors: Float32Array[], queries: Float32Array[]): number {
  const all = new Map(vectors.map((v, i) => [`v${i}`, v]));
  let found = 0;
  for (const query of queries) {
    const got = new Set(index.search(query, 10).map((h) => h.id));
    found += exactTop(all, query, 10).filter((h) => got.has(h.id)).length;
  }
  return found / (queries.length * 10);
}

export function describeVectorIndexContract(where: string, cases: VectorIndexCase[] = VECTOR_INDEX_CASES): void {
  describe.each(cases)(`vector index $name (${where})`, ({ create }) => {
    it('starts empty: size 0, nothing found, has() false', async () => {
      const index = await create(3);
      expect(index.dimension).toBe(3);
      expect(index.size).toBe(0);
      expect(index.has('a')).toBe(false);
      expect(index.search(unit([1, 0, 0]), 5)).toEqual([]);
      index.remove('a');
      expect(index.size).toBe(0);
    });

    it('adds, replaces, removes, re-adds and clears, keeping size and has() right', async () => {
      const index = await create(3);
      index.upsert('a', unit([1, 0, 0]));
      index.upsert('b', unit([0, 1, 0]));
      index.upsert('a', unit([0, 0, 1]));
      expect(index.size).toBe(2);
      expect(index.has('a')).toBe(true);
      expect(index.search(unit([0, 0, 1]), 1)).toEqual([{ id: 'a', score: expect.closeTo(1, 5) }]);
      expect(index.search(unit([1, 0, 0]), 2).map((h) => h.score)).toEqual([expect.closeTo(0, 5), expect.closeTo(0, 5)]);
      index.remove('a');
      index.remove('missing');
      expect(index.has('a')).toBe(false);
      expect(index.size).toBe(1);
      expect(index.search(unit([0, 0, 1]), 5).map((h) => h.id)).toEqual(['b']);
      index.upsert('a', unit([1, 0, 0]));
      expect(index.search(unit([1, 0, 0]), 1)).toEqual([{ id: 'a', score: expect.closeTo(1, 5) }]);
      index.clear();
      expect(index.size).toBe(0);
      expect(index.has('b')).toBe(false);
      expect(index.search(unit([0, 1, 0]), 3)).toEqual([]);
      index.upsert('c', unit([0, 1, 0]));
      expect(index.search(unit([0, 1, 0]), 3).map((h) => h.id)).toEqual(['c']);
    });

    it('returns exact cosine scores, best first, at most k and at most size', async () => {
      const index = await create(8);
      const vectors = dataset(30, 8, 7);
      vectors.forEach((v, i) => index.upsert(`v${i}`, v));
      const query = vectors[3]!;
      const hits = index.search(query, 50);
      expect(hits).toHaveLength(30);
      expect(hits[0]).toEqual({ id: 'v3', score: expect.closeTo(1, 5) });
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      for (const hit of hits) expect(hit.score).toBeCloseTo(dot(vectors[Number(hit.id.slice(1))]!, query), 5);
      expect(index.search(query, 4).map((h) => h.id)).toEqual(hits.slice(0, 4).map((h) => h.id));
      expect(index.search(query, 0)).toEqual([]);
    });

    it('gives back a copy of a stored vector, and nothing for an unknown id', async () => {
      const index = await create(3);
      index.upsert('a', unit([1, 2, 2]));
      index.upsertMany(['b'], unit([0, 1, 0]));
      const copy = index.vector!('a')!;
      expect([...copy].map((x) => Number(x.toFixed(5)))).toEqual([0.33333, 0.66667, 0.66667]);
      copy.fill(0);
      expect(index.vector!('a')![0]).toBeCloseTo(1 / 3, 5);
      expect([...index.vector!('b')!]).toEqual([0, 1, 0]);
      index.remove('a');
      expect(index.vector!('a')).toBeUndefined();
      expect([...index.vector!('b')!]).toEqual([0, 1, 0]);
    });

    it('makes room ahead for many vectors (where it can) and keeps what it holds', async () => {
      const index = await create(3);
      index.upsert('a', unit([1, 0, 0]));
      index.upsertMany(['b'], unit([0, 1, 0]));
      index.reserve?.(5_000);
      index.reserve?.(1); // never shrinks
      index.upsert('c', unit([0, 0, 1]));
      expect(index.size).toBe(3);
      for (const [id, axis] of [
        ['a', [1, 0, 0]],
        ['b', [0, 1, 0]],
        ['c', [0, 0, 1]],
      ] as const) {
        expect(index.search(unit([...axis]), 1)).toEqual([{ id, score: expect.closeTo(1, 5) }]);
      }
    });

    it('keeps its own copy of every vector', async () => {
      const index = await create(3);
      const vector = unit([1, 0, 0]);
      index.upsert('a', vector);
      index.upsertMany(['b'], unit([0, 1, 0]));
      vector.set([0, 0, 1]);
      expect(index.search(unit([1, 0, 0]), 1)).toEqual([{ id: 'a', score: expect.closeTo(1, 5) }]);
    });

    it('keeps two ids with the same vector apart: removing one leaves the other', async () => {
      const index = await create(4);
      const same = unit([1, 2, 3, 4]);
      index.upsert('a', same);
      index.upsert('b', same);
      index.upsert('c', unit([4, 3, 2, 1]));
      expect(
        index
          .search(same, 2)
          .map((h) => h.id)
          .sort(),
      ).toEqual(['a', 'b']);
      index.remove('a');
      expect(index.search(same, 1)).toEqual([{ id: 'b', score: expect.closeTo(1, 5) }]);
      index.upsert('b', unit([4, 3, 2, 1]));
      expect(
        index
          .search(same, 3)
          .map((h) => h.id)
          .sort(),
      ).toEqual(['b', 'c']);
    });

    it('applies the accept filter and still finds k results when the filter is strict', async () => {
      const index = await create(16);
      const vectors = dataset(400, 16, 11);
      vectors.forEach((v, i) => index.upsert(`v${i}`, v));
      const hits = index.search(vectors[0]!, 5, (id) => Number(id.slice(1)) % 97 === 0);
      expect(hits.map((h) => h.id).sort()).toEqual(['v0', 'v194', 'v291', 'v388', 'v97'].sort());
      expect(index.search(vectors[0]!, 5, () => false)).toEqual([]);
      const even = index.search(vectors[1]!, 10, (id) => Number(id.slice(1)) % 2 === 0);
      const evenVectors = new Map(vectors.map((v, i) => [`v${i}`, v] as const).filter(([id]) => Number(id.slice(1)) % 2 === 0));
      expect(even.map((h) => h.id)).toEqual(exactTop(evenVectors, vectors[1]!, 10).map((h) => h.id));
    });

    it('rejects a vector, a query or a packed batch of the wrong dimension, changing nothing', async () => {
      const index = await create(4);
      index.upsert('a', unit([1, 0, 0, 0]));
      expect(() => index.upsert('x', new Float32Array(3))).toThrow(RangeError);
      expect(() => index.search(new Float32Array(5), 1)).toThrow(RangeError);
      expect(() => index.upsertMany(['x', 'y'], new Float32Array(7))).toThrow(RangeError);
      expect(index.size).toBe(1);
      expect(index.has('x')).toBe(false);
    });

    it('loads a packed batch as one upsert per vector: the last of a repeated id wins, null slots are skipped', async () => {
      const vectors = dataset(300, 12, 21);
      const one = await create(12);
      const bulk = await create(12);
      vectors.forEach((v, i) => one.upsert(`v${i % 250}`, v));
      one.upsert('v3', vectors[0]!);
      bulk.upsert('v7', vectors[299]!);
      bulk.upsertMany(
        vectors.map((_, i) => `v${i % 250}`),
        packed(vectors),
      );
      const freed = new Float32Array(12).fill(NaN); // a freed slot of a stored chunk holds anything
      bulk.upsertMany([null, 'v3', null], packed([freed, vectors[0]!, freed]));
      expect(bulk.size).toBe(250);
      for (const query of dataset(10, 12, 22)) expect(bulk.search(query, 10)).toEqual(one.search(query, 10));
      bulk.upsertMany([], new Float32Array(0));
      expect(bulk.size).toBe(250);
    });

    it('loads float16 chunks with holes exactly as their float32 decoding: same rows, same results', async () => {
      for (const dimension of [12, 384]) {
        const vectors = dataset(300, dimension, 31 + dimension);
        const ids = vectors.map((_, i) => (i % 7 === 3 ? null : `v${i}`));
        const half = new Uint16Array(encodeFloat16(packed(vectors)));
        const floats = await create(dimension);
        floats.upsertMany(ids, decodeFloat16(half));
        const direct = await create(dimension);
        // An index without the float16 path loads the decoded chunk (the open does the same).
        (direct.upsertHalf?.bind(direct) ?? ((batch, bits) => direct.upsertMany(batch, decodeFloat16(bits))))(ids, half);
        expect(direct.size).toBe(floats.size);
        for (const id of ids) if (id) expect(direct.vector?.(id)).toEqual(floats.vector?.(id));
        for (const query of dataset(10, dimension, 32)) expect(direct.search(query, 10)).toEqual(floats.search(query, 10));
        const wrong = () => (direct.upsertHalf ?? direct.upsertMany).call(direct, ['x'], new Uint16Array(dimension + 1) as never);
        expect(wrong).toThrow(RangeError);
        expect(direct.has('x')).toBe(false);
      }
    });

    it.each([
      ['random', 0, 2],
      ['clustered', 12, 2],
      ['tightly clustered (near-duplicates)', 40, 8],
    ])('reaches recall@10 ≥ 0.99 against brute force on 2,000 64-d unit vectors, %s', async (_, clusters, spread) => {
      const index = await create(64);
      const vectors = dataset(2000, 64, 3 + clusters, clusters, spread);
      index.upsertMany(
        vectors.map((_, i) => `v${i}`),
        packed(vectors),
      );
      const queries = dataset(50, 64, 99 + clusters, clusters, spread);
      expect(recallAt10(index, vectors, queries)).toBeGreaterThanOrEqual(0.99);
    });

    it('matches brute force after any sequence of upserts, bulk loads and removes (property)', async () => {
      const dimension = 6;
      const nonZero = fc
        .array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: dimension, maxLength: dimension })
        .filter((v) => v.some((x) => Math.abs(x) > 1e-3))
        .map(unit);
      const id = fc.nat(15).map((n) => `m${n}`);
      const op = fc.oneof(
        fc.record({ type: fc.constant('upsert' as const), id, vector: nonZero }),
        fc.record({ type: fc.constant('remove' as const), id }),
        fc.record({ type: fc.constant('many' as const), rows: fc.array(fc.tuple(id, nonZero), { maxLength: 6 }) }),
      );
      const index = await create(dimension);
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { minLength: 1, maxLength: 40 }),
          nonZero,
          fc.integer({ min: 1, max: 8 }),
          async (ops, query, k) => {
            index.clear();
            const model = new Map<string, Float32Array>();
            for (const o of ops) {
              if (o.type === 'upsert') {
                index.upsert(o.id, o.vector);
                model.set(o.id, o.vector);
              } else if (o.type === 'remove') {
                index.remove(o.id);
                model.delete(o.id);
              } else {
                index.upsertMany(
                  o.rows.map(([rowId]) => rowId),
                  packed(o.rows.map(([, v]) => v)),
                );
                for (const [rowId, v] of o.rows) model.set(rowId, v);
              }
            }
            expect(index.size).toBe(model.size);
            for (let n = 0; n < 16; n++) expect(index.has(`m${n}`)).toBe(model.has(`m${n}`));
            const hits = index.search(query, k);
            const expected = exactTop(model, query, k);
            expect(hits.map((h) => h.score)).toEqual(expected.map((h) => expect.closeTo(h.score, 5)));
            for (const hit of hits) expect(hit.score).toBeCloseTo(dot(model.get(hit.id)!, query), 5);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
}
