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

describe('relevance floor (pure)', () => {
  it('sits the margin share of the way from the background similarity to 1', () => {
    const query = unit(1, 0);
    const background = [unit(1, 1), unit(1, 1)]; // cosine √½ with the query
    const b = Math.SQRT1_2;
    expect(denseFloor(query, background, 0.5)).toBeCloseTo(b + 0.5 * (1 - b), 6);
    expect(denseFloor(query, background, 0)).toBe(-Infinity);
    expect(denseFloor(query, [], 0.5)).toBe(-Infinity);
    expect(cosine(unit(1, 0), unit(0, 1))).toBe(0);
  });

  it('drops dense-only hits below the floor but keeps word matches and requested standing candidates', () => {
    const items = new Map(['above', 'below', 'word', 'recent'].map((id, i) => [id, item(id, i)]));
    const ranked = rankHybrid({
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
      denseFloor: 0.7,
    });
    expect(ranked.map((r) => r.item.id).sort()).toEqual(['above', 'recent', 'word']);
    // The survivors keep the scores they had without a floor (min-max over every dense hit).
    const unfloored = rankHybrid({
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
    });
    expect(ranked.find((r) => r.item.id === 'above')!.score).toBe(unfloored.find((r) => r.item.id === 'above')!.score);
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

  it('returns nothing for a query that shares no meaning with any memory, and finds memories by meaning alone', async () => {
    client = await open();
    await client.memories.addMany(memories.map((text) => ({ text })));
    expect(await client.memories.search('quarterly depreciation schedule for industrial machinery')).toEqual([]);
    expect(await client.memories.search('semiconductor lithography yield')).toEqual([]);
    // No word in common with the puppy memory: found through the embedder only.
    const byMeaning = await client.memories.search('dog');
    expect(byMeaning[0]?.item.text).toBe(memories[0]);
    expect(byMeaning[0]?.explanation.via).toEqual(['dense']);
  });

  it('without the floor the same unrelated query returns every memory', async () => {
    client = await open({ relevanceFloor: 0 });
    await client.memories.addMany(memories.map((text) => ({ text })));
    expect(await client.memories.search('quarterly depreciation schedule for industrial machinery')).toHaveLength(
      memories.length,
    );
  });
});
