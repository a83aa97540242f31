import { describe, expect, it } from 'vitest';
import type { Ranked } from '../../../../src/core/ranking/hybrid';
import { rankedBy, turnItem } from './fixtures';
import { spreadAcrossSessions } from '../../../../src/core/ranking/session-spread';
import type { MemoryItem } from '../../../../src/sdk/types';

const turn = (id: string, session: number | undefined, at: number): MemoryItem =>
  turnItem(id, session === undefined ? {} : { session }, at);
const ranked = rankedBy('lexical');
const order = (list: Ranked[]) => list.map((r) => r.item.id);

describe('spreading results across sessions', () => {
  // One trip told in session 1 (three strong turns) and a second trip in session 2, a little weaker.
  const list = ranked([
    [turn('s1 a', 1, 1), 1],
    [turn('s1 b', 1, 2), 0.9],
    [turn('s1 c', 1, 3), 0.85],
    [turn('s2 a', 2, 10), 0.7],
    [turn('s2 b', 2, 11), 0.4],
    [turn('note', undefined, 20), 0.5],
  ]);

  it('brings the best turn of another session up past the second and third turns of the first', () => {
    expect(order(list).slice(0, 3)).toEqual(['s1 a', 's1 b', 's1 c']);
    const after = spreadAcrossSessions(list, 0.3);
    expect(order(after).slice(0, 4)).toEqual(['s1 a', 's2 a', 's1 b', 's1 c']);
    // Nothing is dropped and the scores still fall from first to last.
    expect(order(after).sort()).toEqual(order(list).sort());
    const scores = after.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('divides by 1 + weight per result already shown from the same session, and says so', () => {
    const after = spreadAcrossSessions(list, 0.3);
    const third = after.find((r) => r.item.id === 's1 c')!;
    expect(third.score).toBeCloseTo(0.85 / 1.6, 9);
    expect(third.explanation.contributions.spread).toBeCloseTo(0.85 / 1.6 - 0.85, 9);
    // The first of each session and memories outside any session keep their score.
    expect(after.find((r) => r.item.id === 's2 a')!.score).toBe(0.7);
    expect(after.find((r) => r.item.id === 'note')!.score).toBe(0.5);
    expect(after[0]!.explanation.contributions.spread).toBeUndefined();
  });

  it('changes nothing when off, or when every result shares one session', () => {
    expect(spreadAcrossSessions(list, 0)).toBe(list);
    const one = ranked([
      [turn('a', 1, 1), 1],
      [turn('b', 1, 2), 0.5],
    ]);
    expect(spreadAcrossSessions(one, 1)).toBe(one);
  });
});
