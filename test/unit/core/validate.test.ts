import { describe, expect, it } from 'vitest';
import { checkVector } from '../../../src/core/semantic/validate';

describe('checkVector', () => {
  it('refuses a vector holding NaN or an infinity, and scales any finite one to unit length', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => checkVector(Float32Array.of(0.5, bad, 0.5), 3)).toThrow(/non-finite/);
    }
    // The largest float32 values: their squares overflow float32, never the sum in doubles.
    const huge = checkVector(Float32Array.of(3.4e38, -3.4e38, 0), 3)!;
    expect(Math.hypot(...huge)).toBeCloseTo(1, 6);
    const unit = Float32Array.of(0.6, 0.8);
    expect(checkVector(unit, 2)).toBe(unit);
    expect(() => checkVector(unit, 3)).toThrow(/dimensions/);
  });
});
