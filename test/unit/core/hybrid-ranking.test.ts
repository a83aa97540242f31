import { describe, expect, it } from 'vitest';
import { rankHybrid, recencyOf } from '../../../src/core/ranking/hybrid';
import { spreadToNeighbours, Threads } from '../../../src/core/ranking/neighbours';
import type { MemoryItem } from '../../../src/sdk/types';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const item = (id: string, ageDays = 0, importance = 0.5): MemoryItem => ({
  id,
  text: id,
  kind: 'note',
  importance,
  pinned: false,
  createdAt: NOW - ageDays * DAY,
  updatedAt: NOW - ageDays * DAY,
  validFrom: NOW - ageDays * DAY,
  metadata: {},
});
const items = (...list: MemoryItem[]) => new Map(list.map((m) => [m.id, m]));
// The mechanism under test, with fixed weights (the defaults are the benchmark's to choose).
const base = {
  weights: { similarity: 0.6, lexical: 0.35, recency: 0.03, importance: 0.02 },
  now: NOW,
  recencyHalfLifeDays: 30,
  denseAvailable: true,
};

describe('hybrid ranking', () => {
  it('lets a memory found by both signals beat one found by either alone', () => {
    const ranked = rankHybrid({
      ...base,
      items: items(item('both'), item('dense'), item('lexical')),
      dense: [
        { id: 'dense', score: 0.9 },
        { id: 'both', score: 0.85 },
        { id: 'lexical', score: 0.3 },
      ],
      lexical: [
        { id: 'lexical', score: 7 },
        { id: 'both', score: 6 },
      ],
    });
    expect(ranked.map((r) => r.item.id)).toEqual(['both', 'dense', 'lexical']);
    expect(ranked[0]?.explanation).toMatchObject({ mode: 'hybrid', similarity: 0.85, lexical: 6 });
  });

  it('explains every score as the sum of its contributions', () => {
    const ranked = rankHybrid({ ...base, items: items(item('a', 10, 0.9)), dense: [{ id: 'a', score: 0.5 }], lexical: [] });
    const { contributions } = ranked[0]!.explanation;
    expect(contributions.similarity + contributions.lexical + contributions.recency + contributions.importance).toBeCloseTo(
      ranked[0]!.score,
      9,
    );
    expect(ranked[0]!.explanation.mode).toBe('dense');
  });

  it('ranks on BM25 alone when no embedder is usable, and says so', () => {
    const ranked = rankHybrid({
      ...base,
      denseAvailable: false,
      items: items(item('x'), item('y')),
      dense: [],
      lexical: [
        { id: 'y', score: 2 },
        { id: 'x', score: 4 },
      ],
    });
    expect(ranked.map((r) => r.item.id)).toEqual(['x', 'y']);
    expect(ranked.every((r) => r.explanation.mode === 'lexical' && r.explanation.contributions.similarity === 0)).toBe(true);
  });

  it('halves recency every half-life and lets it break a tie for the newer memory', () => {
    expect(recencyOf(item('old', 30), NOW, 30)).toBeCloseTo(0.5, 9);
    expect(recencyOf(item('older', 60), NOW, 30)).toBeCloseTo(0.25, 9);
    const ranked = rankHybrid({
      ...base,
      items: items(item('old', 90), item('new', 1)),
      dense: [],
      lexical: [
        { id: 'old', score: 3 },
        { id: 'new', score: 3 },
      ],
    });
    expect(ranked[0]?.item.id).toBe('new');
  });

  it('merges the recent and important lists: they rank on recency and importance alone, and say which list nominated them', () => {
    const ranked = rankHybrid({
      ...base,
      items: items(item('match'), item('fresh', 0), item('vital', 300, 1), item('old', 400, 0.1)),
      dense: [{ id: 'match', score: 0.8 }],
      lexical: [{ id: 'match', score: 3 }],
      recent: ['fresh', 'match'],
      important: ['vital'],
    });
    expect(ranked.map((r) => r.item.id)).toEqual(['match', 'fresh', 'vital']);
    expect(ranked[0]!.explanation.via).toEqual(['dense', 'lexical', 'recent']);
    expect(ranked[1]!.explanation).toMatchObject({ via: ['recent'], contributions: { similarity: 0, lexical: 0 } });
    expect(ranked[2]!.explanation.via).toEqual(['important']);
    expect(ranked[2]!.score).toBeCloseTo(0.03 * recencyOf(item('vital', 300), NOW, 30) + 0.02 * 1);
  });

  it("lends part of a strong result's score to the turns beside it in the same conversation", () => {
    const turn = (id: string, at: number, session: number | undefined): MemoryItem => ({
      ...item(id),
      kind: 'turn',
      createdAt: NOW - 1000 + at,
      metadata: session === undefined ? {} : { session },
    });
    const all = items(
      turn('q', 1, 1),
      turn('answer', 2, 1),
      turn('later', 3, 1),
      turn('other', 2, 2),
      turn('loose', 3, undefined),
    );
    const threads = new Threads();
    const ranked = rankHybrid({
      ...base,
      items: all,
      dense: [],
      lexical: [
        { id: 'q', score: 5 },
        { id: 'other', score: 1 },
      ],
    });
    const spread = spreadToNeighbours(ranked, {
      weight: 0.5,
      from: 10,
      neighboursOf: (id) => threads.neighbours(id, all),
      items: all,
      accept: () => true,
    });
    const ids = spread.map((r) => r.item.id);
    expect(ids[0]).toBe('q');
    expect(ids).toContain('answer'); // matched nothing itself; the question before it did
    expect(spread.find((r) => r.item.id === 'answer')!.explanation.via).toEqual(['neighbour']);
    expect(ids).not.toContain('loose');
    expect([...threads.neighbours('answer', all)].sort()).toEqual(['later', 'q']);
    expect(threads.neighbours('other', all)).toEqual([]);
  });
});
