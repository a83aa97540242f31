/** The VectorIndex contract, run over every implementation (flat, int8, voy) in Node and in Chromium. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VectorIndex } from '../../src/core/ports';
import { VECTOR_INDEX_KINDS, vectorIndexFactory } from '../../src/storage/vector/index';

const unit = (values: ArrayLike<number>) => {
  let norm = 0;
  for (let i = 0; i < values.length; i++) norm += values[i]! * values[i]!;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(values, (x) => x / norm);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const gaussian = (rnd: () => number) => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());

function dataset(n: number, dim: number, seed: number, clusters = 0): Float32Array[] {
  const rnd = random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => gaussian(rnd)));
  return Array.from({ length: n }, (_, i) => {
    const centre = centres[i % Math.max(clusters, 1)];
    return unit(Array.from({ length: dim }, (_, d) => (centre ? centre[d]! * 2 : 0) + gaussian(rnd)));
  });
}

function recallAt10(index: VectorIndex, vectors: Float32Array[], queries: Float32Array[]): number {
  let found = 0;
  for (const query of queries) {
    const exact = vectors
      .map((v, i) => ({ id: `v${i}`, score: dot(v, query) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 10)
      .map((h) => h.id);
    const got = new Set(index.search(query, 10).map((h) => h.id));
    found += exact.filter((id) => got.has(id)).length;
  }
  return found / (queries.length * 10);
}

export function describeVectorIndexContract(where: string): void {
  describe.each(VECTOR_INDEX_KINDS)(`vector index %s (${where})`, (kind) => {
    const make = async (dimension: number) => (await vectorIndexFactory(kind))(dimension);

    it('adds, replaces, removes and clears, keeping size and has() right', async () => {
      const index = await make(3);
      index.upsert('a', unit([1, 0, 0]));
      index.upsert('b', unit([0, 1, 0]));
      index.upsert('a', unit([0, 0, 1]));
      expect(index.size).toBe(2);
      expect(index.has('a')).toBe(true);
      expect(index.search(unit([0, 0, 1]), 1)).toEqual([{ id: 'a', score: expect.closeTo(1, 5) }]);
      index.remove('a');
      index.remove('missing');
      expect(index.has('a')).toBe(false);
      expect(index.search(unit([0, 0, 1]), 5).map((h) => h.id)).toEqual(['b']);
      index.clear();
      expect(index.size).toBe(0);
      expect(index.search(unit([0, 1, 0]), 3)).toEqual([]);
    });

    it('returns exact cosine scores, best first, at most k and at most size', async () => {
      const index = await make(8);
      const vectors = dataset(30, 8, 7);
      vectors.forEach((v, i) => index.upsert(`v${i}`, v));
      const query = vectors[3]!;
      const hits = index.search(query, 50);
      expect(hits).toHaveLength(30);
      expect(hits[0]).toEqual({ id: 'v3', score: expect.closeTo(1, 5) });
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
      for (const hit of hits) expect(hit.score).toBeCloseTo(dot(vectors[Number(hit.id.slice(1))]!, query), 5);
      expect(index.search(query, 0)).toEqual([]);
    });

    it('applies the accept filter and still finds k results when the filter is strict', async () => {
      const index = await make(16);
      const vectors = dataset(400, 16, 11);
      vectors.forEach((v, i) => index.upsert(`v${i}`, v));
      const hits = index.search(vectors[0]!, 5, (id) => Number(id.slice(1)) % 97 === 0);
      expect(hits.map((h) => h.id).sort()).toEqual(['v0', 'v194', 'v291', 'v388', 'v97'].sort());
    });

    it('rejects a vector of the wrong dimension', async () => {
      const index = await make(4);
      expect(() => index.upsert('x', new Float32Array(3))).toThrow(RangeError);
    });

    it('reaches recall@10 ≥ 0.99 against exact search on random and on clustered data', async () => {
      for (const clusters of [0, 12]) {
        const index = await make(64);
        const vectors = dataset(2000, 64, 3 + clusters, clusters);
        vectors.forEach((v, i) => index.upsert(`v${i}`, v));
        const queries = dataset(40, 64, 99 + clusters, clusters);
        expect(recallAt10(index, vectors, queries)).toBeGreaterThanOrEqual(0.99);
      }
    });

    it('matches brute force after any sequence of upserts and removes (property)', async () => {
      const factory = await vectorIndexFactory(kind);
      const vector = fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 });
      fc.assert(
        fc.property(fc.array(vector, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(39)), vector, (rows, removals, query) => {
          const index = factory(4);
          const kept = new Map<string, Float32Array>();
          rows.forEach((row, i) => {
            index.upsert(`v${i}`, unit(row));
            kept.set(`v${i}`, unit(row));
          });
          for (const r of removals) {
            index.remove(`v${r}`);
            kept.delete(`v${r}`);
          }
          const q = unit(query);
          const expected = [...kept.values()]
            .map((v) => dot(v, q))
            .sort((a, b) => b - a)
            .slice(0, 5);
          expect(index.size).toBe(kept.size);
          expect(index.search(q, 5).map((h) => h.score)).toEqual(expected.map((s) => expect.closeTo(s, 4)));
        }),
        { numRuns: 100 },
      );
    });
  });
}
