import { describe, expect, it } from 'vitest';
import { spreadToNeighbours, Threads } from '../../../../src/core/ranking/neighbours';
import { lendNeighbourTerms } from '../../../../src/core/ranking/neighbour-terms';
import { speakerKey } from '../../../../src/core/ranking/speakers';
import type { MemoryItem } from '../../../../src/sdk/types';
import { rankedBy, turnItem } from './fixtures';

// The lists a search asks for hundreds of times are kept between searches; these tests check they stay right.
const turn = (id: string, at: number, session = 1): MemoryItem => turnItem(id, { session }, at);
const mapOf = (...list: MemoryItem[]) => new Map(list.map((m) => [m.id, m]));

describe('conversation neighbours, kept between searches', () => {
  it('answers each reach on its own and sees a new turn once invalidated', () => {
    const [a, b, c] = [turn('a', 1), turn('b', 2), turn('c', 3)];
    const items = mapOf(a, b, c);
    const threads = new Threads();
    expect(threads.neighbours('b', items, 1)).toEqual(['a', 'c']);
    expect(threads.neighbours('a', items, 2)).toEqual(['b', 'c']);
    expect(threads.neighbours('a', items, 1)).toEqual(['b']);
    const between = turn('a½', 1.5);
    items.set(between.id, between);
    threads.invalidate();
    expect(threads.neighbours('a', items, 1)).toEqual(['a½']);
    expect(threads.neighbours('b', items, 2)).toEqual(['a½', 'c', 'a']);
    expect(threads.neighbours('elsewhere', items, 1)).toEqual([]);
  });

  it('lends to a neighbour that already is a candidate once, and adds the others once', () => {
    const [q, answer, later, other] = [turn('q', 1), turn('answer', 2), turn('later', 3), turn('other', 4, 2)];
    const items = mapOf(q, answer, later, other);
    const threads = new Threads();
    const before = rankedBy('lexical')([
      [q, 1],
      [later, 0.2],
      [other, 0.1],
    ]);
    const after = spreadToNeighbours(before, {
      weight: 0.5,
      from: 10,
      neighboursOf: (id) => threads.neighbours(id, items),
      items,
      accept: () => true,
    });
    expect(after.map((r) => r.item.id)).toEqual(['q', 'later', 'answer', 'other']);
    expect(after.find((r) => r.item.id === 'later')!.explanation.via).toEqual(['lexical', 'neighbour']);
    expect(after.find((r) => r.item.id === 'answer')!.explanation.via).toEqual(['neighbour']);
  });
});

describe('neighbour words without sets', () => {
  it('counts a word both neighbours hold once, and none the turn holds itself', () => {
    const [before, middle, after] = [turn('before', 1), turn('middle', 2), turn('after', 3)];
    const items = mapOf(before, middle, after, turn('x', 4, 2), turn('y', 5, 2));
    const ranked = rankedBy('lexical')([[middle, 0.5]]);
    const lent = lendNeighbourTerms(ranked, {
      weight: 1,
      lexicalWeight: 1,
      lexical: [
        { id: 'before', score: 1, terms: ['lake', 'sister'] },
        { id: 'middle', score: 1, terms: ['sister'] },
        { id: 'after', score: 1, terms: ['lake', 'boat'] },
      ],
      neighboursOf: (id) => ({ before: ['middle'], middle: ['before', 'after'], after: ['middle'] })[id] ?? [],
      items,
      accept: () => true,
    });
    // Five memories; "lake" in two hits, "sister" in two, "boat" in one.
    const [lake, sister, boat] = [Math.log(1 + 5 / 2), Math.log(1 + 5 / 2), Math.log(1 + 5 / 1)];
    const extra = lent.find((r) => r.item.id === 'middle')!.explanation.contributions.neighbourTerms;
    expect(extra).toBeCloseTo((lake + boat) / (lake + sister + boat), 12);
  });
});

describe('speaker keys, kept by name', () => {
  it('gives the first word of the name, lower-cased, each time it is asked, and nothing for a name without letters', () => {
    const said = (speaker: unknown) => turnItem('t', { speaker } as MemoryItem['metadata']);
    for (let round = 0; round < 2; round++) {
      expect(speakerKey(said('Ana Lima'))).toBe('ana');
      expect(speakerKey(said('— …'))).toBeUndefined();
      expect(speakerKey(said(7))).toBeUndefined();
    }
    for (let i = 0; i < 1500; i++) expect(speakerKey(said(`Guest${i} X`))).toBe(`guest${i}`);
    expect(speakerKey(said('ÉLODIE d'))).toBe('élodie');
  });
});
