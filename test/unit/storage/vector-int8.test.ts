import { describe, expect, it } from 'vitest';
import { createInt8Index } from '../../../src/storage/vector/int8-index';
import { createFlatIndex } from '../../../src/storage/vector/flat-index';
import { createInt8Scanner, simdAvailable, strideFor } from '../../../src/storage/vector/int8-kernel';
import { random } from '../../support/random';

describe('int8 scan kernels', () => {
  it('has WebAssembly SIMD in Node 20, so the index takes the fast scan by default', () => {
    expect(simdAvailable()).toBe(true);
    expect(createInt8Index(8).kernel).toBe('simd');
  });

  it.each([8, 64, 384, 400])('gives the same integer dot products in SIMD and in JS, %i dimensions', (dimension) => {
    const rnd = random(dimension);
    const stride = strideFor(dimension);
    const simd = createInt8Scanner(stride, 4, 'simd');
    const js = createInt8Scanner(stride, 4, 'js');
    const code = () => (rnd() < 0.1 ? (rnd() < 0.5 ? -127 : 127) : Math.round(rnd() * 254 - 127));
    const rows = 300;
    for (const scanner of [simd, js]) scanner.reserve(rows / 2);
    for (let r = 0; r < rows; r++) {
      if (r === rows / 2) for (const scanner of [simd, js]) scanner.reserve(rows); // growing keeps the rows written
      const codes = Array.from({ length: dimension }, code);
      for (const scanner of [simd, js]) scanner.codes.set(codes, r * stride);
    }
    const query = Array.from({ length: dimension }, code);
    simd.query.set(query);
    js.query.set(query);
    const expected = Array.from({ length: rows }, (_, r) => query.reduce((sum, q, d) => sum + q * js.codes[r * stride + d]!, 0));
    expect(Array.from(simd.scan(rows))).toEqual(expected);
    expect(Array.from(js.scan(rows))).toEqual(expected);
    expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0);
  });
});

describe('int8 index', () => {
  it('returns exactly the flat index hits on near-duplicate vectors, with and without a filter', () => {
    const rnd = random(5);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const dimension = 96;
    const centres = Array.from({ length: 30 }, () => Array.from({ length: dimension }, gauss));
    const vector = (i: number) => {
      const v = Float32Array.from(centres[i % 30]!, (c) => 12 * c + gauss());
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    };
    const flat = createFlatIndex(dimension);
    const int8 = createInt8Index(dimension);
    for (let i = 0; i < 3000; i++) {
      const v = vector(i);
      flat.upsert(`m${i}`, v);
      int8.upsert(`m${i}`, v);
    }
    const odd = (id: string) => Number(id.slice(1)) % 2 === 1;
    for (let q = 0; q < 30; q++) {
      const query = vector(q * 7);
      expect(int8.search(query, 10)).toEqual(flat.search(query, 10));
      expect(int8.search(query, 10, odd)).toEqual(flat.search(query, 10, odd));
    }
  });

  it('re-scores at least k accepted rows, so a search returns k hits, even with no error margin and tied rows', () => {
    const rnd = random(11);
    const dimension = 16;
    const int8 = createInt8Index(dimension, { errorMargin: 0 });
    const rows = 200;
    for (let i = 0; i < rows; i++) {
      // Every fourth row repeats the one before it: ties among the quantised scores.
      const seed = i % 4 === 3 ? i - 1 : i;
      const r = random(seed);
      int8.upsert(
        `m${i}`,
        Float32Array.from({ length: dimension }, () => r() - 0.5),
      );
    }
    const query = Float32Array.from({ length: dimension }, () => rnd() - 0.5);
    const accept = (id: string) => Number(id.slice(1)) % 3 !== 0;
    const accepted = Array.from({ length: rows }, (_, i) => `m${i}`).filter(accept).length;
    for (const k of [1, 7, 50, accepted - 1, accepted, rows, rows + 10]) {
      for (const filter of [undefined, accept]) {
        const hits = int8.search(query, k, filter);
        expect(hits).toHaveLength(Math.min(k, filter ? accepted : rows));
        expect(hits.every((hit, at) => at === 0 || hits[at - 1]!.score >= hit.score)).toBe(true);
        if (filter) expect(hits.every((hit) => accept(hit.id))).toBe(true);
      }
    }
  });
});
