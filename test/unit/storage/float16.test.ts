import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFloat16, encodeFloat16, fromFloat16, toFloat16 } from '../../../src/storage/float16';

describe('float16 vector storage', () => {
  it('round-trips exactly representable values and special cases', () => {
    for (const value of [0, 1, -1, 0.5, -0.25, 2 ** -14, 65504, 2 ** -24]) expect(fromFloat16(toFloat16(value))).toBe(value);
    expect(fromFloat16(toFloat16(1e6))).toBe(Infinity);
    expect(Number.isNaN(fromFloat16(toFloat16(NaN)))).toBe(true);
    expect(Object.is(fromFloat16(toFloat16(-0)), -0)).toBe(true);
  });

  it('keeps unit-vector components within half-precision rounding (relative 2^-11)', () => {
    fc.assert(
      fc.property(fc.float({ min: -1, max: 1, noNaN: true }), (value) => {
        const back = fromFloat16(toFloat16(value));
        expect(Math.abs(back - value)).toBeLessThanOrEqual(Math.max(Math.abs(value) * 2 ** -11, 2 ** -25));
      }),
      { numRuns: 2000 },
    );
  });

  it('stores a vector in half the bytes and moves its cosine by less than 1e-3', () => {
    const v = Float32Array.from({ length: 384 }, (_, i) => Math.sin(i * 1.7));
    const norm = Math.hypot(...v);
    v.forEach((x, i) => (v[i] = x / norm));
    const encoded = encodeFloat16(v);
    expect(encoded.byteLength).toBe(768);
    const back = decodeFloat16(encoded);
    expect(Math.abs(back.reduce((sum, x, i) => sum + x * v[i]!, 0) - 1)).toBeLessThan(1e-3);
  });

  it('decodes every half-precision bit pattern to its value', () => {
    const all = new Uint16Array(65536).map((_, bits) => bits);
    const decoded = decodeFloat16(all.buffer);
    for (let bits = 0; bits < 65536; bits++) expect(Object.is(decoded[bits], Math.fround(fromFloat16(bits)))).toBe(true);
  });

  it('encodes a vector as toFloat16 does, or one unit in the last place away on an exact tie', () => {
    const values = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.37) * 2 ** ((i % 20) - 14));
    const encoded = new Uint16Array(encodeFloat16(values));
    values.forEach((value, i) => expect(Math.abs(encoded[i]! - toFloat16(value))).toBeLessThanOrEqual(1));
  });
});
