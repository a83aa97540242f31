import { describe, expect, it } from 'vitest';
import { createVectorIndex } from '../../../src/storage/vector/index';
import { VOY_MAX_DIMENSION } from '../../../src/storage/vector/voy-index';

describe('voy index', () => {
  it(`refuses more than ${VOY_MAX_DIMENSION} dimensions (its tree would cut the rest off)`, async () => {
    await expect(createVectorIndex('voy', VOY_MAX_DIMENSION + 1)).rejects.toThrow(RangeError);
    expect((await createVectorIndex('voy', VOY_MAX_DIMENSION)).dimension).toBe(VOY_MAX_DIMENSION);
  });

  it('refuses a vector with NaN or Infinity and keeps working (Voy would panic on it)', async () => {
    const index = await createVectorIndex('voy', 3);
    index.upsert('a', Float32Array.of(1, 0, 0));
    expect(() => index.upsert('b', Float32Array.of(NaN, 0, 0))).toThrow(RangeError);
    expect(() => index.upsertMany(['c'], Float32Array.of(0, Infinity, 0))).toThrow(RangeError);
    index.upsert('d', Float32Array.of(0, 1, 0));
    expect(index.size).toBe(2);
    expect(index.search(Float32Array.of(0, 1, 0), 1)).toEqual([{ id: 'd', score: 1 }]);
  });

  it('replaces vectors in place: an old vector is never found again under its id', async () => {
    const index = await createVectorIndex('voy', 4);
    const axis = (d: number) => Float32Array.from({ length: 4 }, (_, i) => (i === d ? 1 : 0));
    for (let round = 0; round < 4; round++) for (let i = 0; i < 50; i++) index.upsert(`m${i}`, axis((i + round) % 4));
    expect(index.size).toBe(50);
    const hits = index.search(axis(3), 50);
    expect(hits.filter((h) => h.score === 1)).toHaveLength(13);
    expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
  });
});
