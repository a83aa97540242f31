import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatStamp, HybridClock, parseStamp } from '../../../src/sync/hlc';
import { heads, seenBy, winner, type MemoryVersion, type SyncedMemory } from '../../../src/sync/merge';
import type { ChangeActor } from '../../../src/sdk/types';
import { permutations } from '../../support/permutations';

const item = (text: string): SyncedMemory => ({
  id: 'm1',
  text,
  kind: 'note',
  importance: 0.5,
  pinned: false,
  createdAt: 1,
  updatedAt: 1,
  validFrom: 1,
  metadata: {},
});

function version(
  device: string,
  wall: number,
  text: string | undefined,
  seen: MemoryVersion[] = [],
  actor: ChangeActor = 'user',
): MemoryVersion {
  return {
    type: 'memory',
    id: 'm1',
    device,
    hlc: formatStamp(wall, 0),
    actor,
    seen: seenBy(seen),
    ...(text === undefined ? { deleted: true as const } : { item: item(text) }),
  };
}

describe('hybrid logical clock', () => {
  it('never goes backwards and moves past received stamps', () => {
    let now = 100;
    const clock = new HybridClock(() => now);
    const a = clock.tick();
    now = 50;
    const b = clock.tick();
    expect(b > a).toBe(true);
    clock.receive(formatStamp(500, 3));
    const c = clock.tick();
    expect(parseStamp(c)).toEqual({ wall: 500, count: 4 });
    now = 600;
    expect(parseStamp(clock.tick())).toEqual({ wall: 600, count: 0 });
    clock.receive('garbage');
    expect(clock.last).toBe(formatStamp(600, 0));
  });

  it('orders stamps as strings the way it orders clocks', () => {
    fc.assert(
      fc.property(fc.nat(2 ** 45), fc.nat(999_999), fc.nat(2 ** 45), fc.nat(999_999), (w1, c1, w2, c2) => {
        const clockOrder = w1 === w2 ? Math.sign(c1 - c2) : Math.sign(w1 - w2);
        const a = formatStamp(w1, c1);
        const b = formatStamp(w2, c2);
        expect(a === b ? 0 : a > b ? 1 : -1).toBe(clockOrder);
      }),
    );
  });
});

describe('merge rule', () => {
  const created = version('A', 10, 'created');

  it('a later version that saw the earlier one wins, whoever made it', () => {
    const userEdit = version('B', 20, 'user edit', [created]);
    const modelAfter = version('A', 30, 'model edit after seeing it', [created, userEdit], 'llm');
    expect(winner([created, userEdit, modelAfter])?.item?.text).toBe('model edit after seeing it');
    expect(heads([created, userEdit, modelAfter])).toEqual([modelAfter]);
  });

  it("a user's edit beats a concurrent model edit, even an older one", () => {
    const user = version('A', 20, 'user', [created]);
    const model = version('B', 40, 'model', [created], 'llm');
    expect(winner([created, user, model])?.item?.text).toBe('user');
  });

  it('a delete beats a concurrent edit, even a later user edit', () => {
    const deleted = version('A', 20, undefined, [created]);
    const edit = version('B', 90, 'edit', [created]);
    expect(winner([created, deleted, edit])?.deleted).toBe(true);
  });

  it('otherwise the later stamp wins, then the larger device id', () => {
    const early = version('A', 20, 'early', [created]);
    const late = version('B', 21, 'late', [created]);
    expect(winner([created, early, late])?.item?.text).toBe('late');
    const tieA = version('A', 20, 'tie A', [created]);
    const tieB = version('B', 20, 'tie B', [created]);
    expect(winner([tieA, tieB, created])?.item?.text).toBe('tie B');
  });

  it('keeps a chain seen through a device that has moved on', () => {
    // B edited after A, C after B, then B again after C: A's first version is history even though
    // B's version that saw it has been replaced.
    const b1 = version('B', 20, 'b1', [created]);
    const c1 = version('C', 30, 'c1', [created, b1], 'llm');
    const b2 = version('B', 40, 'b2', [created, b1, c1], 'llm');
    expect(winner([created, c1, b2])?.item?.text).toBe('b2');
  });

  it('gives the same result whatever order the versions arrive in', () => {
    const devices = ['A', 'B', 'C'];
    const actors: ChangeActor[] = ['user', 'llm', 'policy'];
    const versionArb = fc.record({
      device: fc.constantFrom(...devices),
      wall: fc.integer({ min: 1, max: 50 }),
      deleted: fc.boolean(),
      actor: fc.constantFrom(...actors),
      sawFirst: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(versionArb, { minLength: 1, maxLength: 6 }), fc.nat(), (specs, seed) => {
        // One latest version per device, as the replica keeps them.
        const byDevice = new Map<string, MemoryVersion>();
        specs.forEach((spec, i) => {
          const seen = spec.sawFirst ? [created] : [];
          byDevice.set(spec.device, {
            ...version(spec.device, spec.wall, spec.deleted ? undefined : `text ${i}`, seen, spec.actor),
          });
        });
        const all = [created, ...byDevice.values()].filter((v, i, list) => list.findIndex((o) => o.device === v.device) === i);
        const expected = winner(all);
        for (const order of permutations(all, seed)) expect(winner(order)).toBe(expected);
      }),
    );
  });
});
