/** The hardening harness replays a run from its seed: the same trials, whatever the timing. */
import { describe, expect, it } from 'vitest';
import { Random } from '../harness';
import { makePayloads } from '../e2e/xss-payloads';

const draw = (random: Random, count = 20) => Array.from({ length: count }, () => random.int(0, 1_000_000));

describe('hardening harness', () => {
  it('gives a part of a run the same numbers for the same seed and key, however the other parts drew', () => {
    const first = { a: Random.for(1170364407, 'a'), b: Random.for(1170364407, 'b') };
    const second = { a: Random.for(1170364407, 'a'), b: Random.for(1170364407, 'b') };
    // One run draws a, then b; the other b (more of it), then a.
    const run1 = { a: draw(first.a), b: draw(first.b) };
    const run2b = draw(second.b, 35);
    const run2 = { a: draw(second.a), b: run2b.slice(0, 20) };
    expect(run2).toEqual(run1);
    expect(run1.a).not.toEqual(run1.b);
    expect(draw(Random.for(1170364408, 'a'))).not.toEqual(run1.a);
    expect(draw(Random.for(1170364407, 1))).toEqual(draw(Random.for(1170364407, '1')));
  });

  it('makes the same xss payloads in the same order from the same seed, and others from another', () => {
    const once = makePayloads(40, new Random(1170364407));
    expect(makePayloads(40, new Random(1170364407))).toEqual(once);
    expect(once.map((p) => p.n)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(once.map((p) => p.text)).size).toBe(40);
    expect(makePayloads(40, new Random(424242)).map((p) => p.text)).not.toEqual(once.map((p) => p.text));
  });
});
