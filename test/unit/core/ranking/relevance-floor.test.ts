import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../../src/sdk/index';
import { cosine, denseFloor } from '../../../../src/core/ranking/relevance-floor';
import { rankHybrid } from '../../../../src/core/ranking/hybrid';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import type { MemoryItem } from '../../../../src/sdk/types';

const unit = (...values: number[]) => {
  const norm = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / norm));
};

const item = (id: string, createdAt: number): MemoryItem =>
  ({ id, kind: 'note', text: id, importance: 0.5, pinned: false, createdAt, updatedAt: createdAt, metadata: {} }) as never;

const query = unit(1, 0);
const background = [unit(1, 1), unit(1, 1)]; // cosine √½ with the query
const b = Math.SQRT1_2;

describe('relevance floor (pure)', () => {
  it.each([
    ['sits the margin share of the way from the background similarity to 1', background, 0.5, b + 0.5 * (1 - b)],
    ['is off with a zero margin', background, 0, -Infinity],
    ['is off with no background', [], 0.5, -Infinity],
  ])('%s', (_case, vectors, margin, floor) => {
    expect(denseFloor(query, vectors, margin)).toBeCloseTo(floor, 6);
  });

  it('measures orthogonal vectors as unrelated', () => {
    expect(cosine(unit(1, 0), unit(0, 1))).toBe(0);
  });

  it('drops dense-only hits below the floor but keeps word matches and requested standing candidates', () => {
    const items = new Map(['above', 'below', 'word', 'recent'].map((id, i) => [id, item(id, i)]));
    const rank = (floor?: number) =>
      rankHybrid({
        dense: [
          { id: 'above', score: 0.9 },
          { id: 'below', score: 0.5 },
          { id: 'word', score: 0.4 },
          { id: 'recent', score: 0.3 },
        ],
        lexical: [{ id: 'word', score: 2 }],
        recent: ['recent'],
        items,
        weights: DEFAULT_RANKING,
        now: 10,
        recencyHalfLifeDays: 30,
        denseAvailable: true,
        ...(floor === undefined ? {} : { denseFloor: floor }),
      });
    const ranked = rank(0.7);
    expect(ranked.map((r) => r.item.id).sort()).toEqual(['above', 'recent', 'word']);
    // The survivors keep the scores they had without a floor (min-max over every dense hit).
    expect(ranked.find((r) => r.item.id === 'above')!.score).toBe(rank().find((r) => r.item.id === 'above')!.score);
  });
});

describe('relevance floor with the word-vector embedder', () => {
  let client: MemoryClient | undefined;
  afterEach(async () => client?.close());

  const open = (ranking?: { relevanceFloor: number }) =>
    createMemoryClient({
      profileId: `floor-${Math.random().toString(36).slice(2)}`,
      inWorker: false,
      embedder: 'local/glove-sif-100d',
      modelsBaseUrl: process.env.MNEME_MODELS!,
      ...(ranking ? { ranking } : {}),
    });
  const memories = [
    'I adopted a golden retriever puppy last spring.',
    'My sister is getting married in Lisbon in June.',
    'I have been learning to play the cello for two years.',
    'We grow basil and peppers on the balcony.',
  ];
  /** Queries that share no meaning with any memory. */
  const unrelated = ['quarterly depreciation schedule for industrial machinery', 'semiconductor lithography yield'];

  it.each([
    ['with the floor, an unrelated query returns nothing', undefined, 0],
    ['without the floor, an unrelated query returns every memory', { relevanceFloor: 0 }, memories.length],
  ])('%s', async (_case, ranking, found) => {
    client = await open(ranking);
    await client.memories.addMany(memories.map((text) => ({ text })));
    for (const query of unrelated) expect(await client.memories.search(query), query).toHaveLength(found);
  });

  it('finds memories by meaning alone', async () => {
    client = await open();
    await client.memories.addMany(memories.map((text) => ({ text })));
    // No word in common with the puppy memory: found through the embedder only.
    const byMeaning = await client.memories.search('dog');
    expect(byMeaning[0]?.item.text).toBe(memories[0]);
    expect(byMeaning[0]?.explanation.via).toEqual(['dense']);
  });
});
