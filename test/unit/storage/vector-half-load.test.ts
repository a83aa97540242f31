/**
 * Loading a stored float16 chunk straight into an index (upsertHalf, the open's path) against
 * decoding it to float32 first and loading that (the path before): the int8 index must hold the
 * same codes, scales and norms, so every search (any re-rank margin) gives the same hits.
 */
import { describe, expect, it, vi } from 'vitest';
import * as kernel from '../../../src/storage/vector/int8-kernel';
import { createInt8Index } from '../../../src/storage/vector/int8-index';
import { decodeFloat16, encodeFloat16 } from '../../../src/storage/float16';
import { random } from '../../support/random';

const scanners: ReturnType<typeof kernel.createInt8Scanner>[] = [];
vi.mock('../../../src/storage/vector/int8-kernel', async (original) => {
  const actual = await original<typeof kernel>();
  return {
    ...actual,
    createInt8Scanner: (...args: Parameters<typeof actual.createInt8Scanner>) => {
      const scanner = actual.createInt8Scanner(...args);
      scanners.push(scanner);
      return scanner;
    },
  };
});

/** A stored chunk: `rows` unit-ish vectors as float16 bits, every fifth slot freed (null, zeros). */
function chunk(rows: number, dimension: number, seed: number, prefix: string) {
  const rnd = random(seed);
  const ids = Array.from({ length: rows }, (_, i) => (i % 5 === 2 ? null : `${prefix}${i}`));
  const values = Float32Array.from({ length: rows * dimension }, (_, i) =>
    ids[Math.floor(i / dimension)] === null ? 0 : (rnd() * 2 - 1) * (rnd() < 0.05 ? 1e-5 : 1),
  );
  return { ids, half: new Uint16Array(encodeFloat16(values)) };
}

describe('loading float16 chunks into the int8 index', () => {
  it.each([
    [12, 'js'],
    [384, 'simd'],
    [100, 'js'],
  ] as const)('gives the codes, scales and norms of the float32 path, %i dimensions (%s scan)', (dimension, scan) => {
    // Two models' worth of chunks, loaded in turn, one id stored again in the second chunk.
    const chunks = [chunk(64, dimension, dimension, 'a'), chunk(40, dimension, dimension + 1, 'b')];
    chunks[1]!.ids[0] = 'a3';
    const built = [0, 1, 4].map((errorMargin) => {
      scanners.length = 0;
      const viaFloats = createInt8Index(dimension, { errorMargin, kernel: scan, initialCapacity: 8 });
      for (const { ids, half } of chunks) viaFloats.upsertMany(ids, decodeFloat16(half));
      const floatCodes = scanners.at(-1)!.codes;
      const direct = createInt8Index(dimension, { errorMargin, kernel: scan, initialCapacity: 8 });
      for (const { ids, half } of chunks) direct.upsertHalf!(ids, half);
      return { viaFloats, direct, floatCodes, directCodes: scanners.at(-1)!.codes };
    });
    const { viaFloats, direct, floatCodes, directCodes } = built[0]!;
    expect(direct.size).toBe(82); // 51 + 32, a3 stored again
    expect(Array.from(directCodes.subarray(0, 82 * kernel.strideFor(dimension)))).toEqual(
      Array.from(floatCodes.subarray(0, 82 * kernel.strideFor(dimension))),
    );
    for (const id of chunks.flatMap((c) => c.ids)) if (id) expect(direct.vector!(id)).toEqual(viaFloats.vector!(id));
    const rnd = random(7);
    const queries = Array.from({ length: 20 }, () => Float32Array.from({ length: dimension }, () => rnd() * 2 - 1));
    for (const pair of built)
      for (const query of queries)
        for (const k of [1, 10, 50]) expect(pair.direct.search(query, k)).toEqual(pair.viaFloats.search(query, k));
  });
});
