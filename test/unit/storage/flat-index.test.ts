import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createFlatIndex } from '../../../src/storage/vector/flat-index';

const unit = (values: number[]) => {
  const norm = Math.hypot(...values) || 1;
  return Float32Array.from(values, (x) => x / norm);
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('flat vector index', () => {
  it('returns exactly the brute-force top k, best first, after any adds and removes', () => {
    const vector = fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.array(vector, { minLength: 1, maxLength: 60 }),
        fc.array(fc.nat(59)),
        vector,
        fc.integer({ min: 1, max: 10 }),
        (rows, removals, query, k) => {
          const index = createFlatIndex(4, 2);
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
            .slice(0, k);
          const hits = index.search(q, k);
          expect(index.size).toBe(kept.size);
          expect(hits.map((h) => h.score)).toEqual(expected.map((s) => expect.closeTo(s, 5)));
          for (const hit of hits) expect(hit.score).toBeCloseTo(dot(kept.get(hit.id)!, q), 5);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('replaces a vector on upsert of the same id and honours the accept filter', () => {
    const index = createFlatIndex(2);
    index.upsert('a', unit([1, 0]));
    index.upsert('b', unit([0, 1]));
    index.upsert('a', unit([0, 1]));
    expect(index.size).toBe(2);
    expect(index.search(unit([1, 0]), 2).every((hit) => Math.abs(hit.score) < 1e-6)).toBe(true);
    expect(index.search(unit([0, 1]), 5, (id) => id !== 'b').map((hit) => hit.id)).toEqual(['a']);
  });

  it('rejects a vector of the wrong dimension', () => {
    expect(() => createFlatIndex(3).upsert('x', new Float32Array(2))).toThrow(RangeError);
  });
});
