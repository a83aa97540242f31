import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../../src/core/context/context-builder';
import { jaccard, repeats, wordSet } from '../../../../src/core/context/near-duplicates';
import type { SearchResult } from '../../../../src/sdk/types';

const result = (id: string, text: string, rank: number): SearchResult => ({
  item: {
    id,
    text,
    kind: 'note',
    importance: 0.5,
    pinned: false,
    createdAt: rank,
    updatedAt: rank,
    validFrom: rank,
    metadata: {},
  },
  score: 1 / rank,
  rank,
  explanation: {
    mode: 'hybrid',
    recency: 0,
    importance: 0.5,
    contributions: { similarity: 0, lexical: 0, recency: 0, importance: 0 },
    via: ['lexical'],
  },
});

describe('near-duplicate memories in the prompt', () => {
  it('measures word overlap, ignoring case and punctuation', () => {
    expect(jaccard(wordSet('I love hiking!'), wordSet('i LOVE hiking'))).toBe(1);
    expect(jaccard(wordSet('I love hiking'), wordSet('I love cooking'))).toBe(0.5);
    expect(repeats(wordSet('I love hiking in the Alps'), [wordSet('I love hiking in the alps.')])).toBe(true);
    expect(repeats(wordSet('I love hiking'), [wordSet('I hate hiking in winter')])).toBe(false);
  });

  it('keeps the better-ranked of two near-identical memories and spends the budget on something else', () => {
    const memories = [
      result('first', 'We adopted a dog called Biscuit.', 1),
      result('again', 'we adopted a dog called biscuit', 2),
      result('other', 'Biscuit hates the rain.', 3),
    ];
    const bundle = buildContext({ memories, query: 'the dog' });
    expect(bundle.memoriesUsed).toEqual(['first', 'other']);
    expect(buildContext({ memories, query: 'the dog' }, { dedupe: false }).memoriesUsed).toEqual(['first', 'again', 'other']);
  });
});

describe('a near-duplicate says nothing new', () => {
  const long = (allergen: string) =>
    `I am allergic to ${allergen}, so when we eat out with friends I always ask the waiter and carry my pen`;

  it('keeps a memory that differs from a better-ranked one in a single word, however long the rest', () => {
    const [peanuts, shellfish] = [wordSet(long('peanuts')), wordSet(long('shellfish'))];
    expect(jaccard(peanuts, shellfish)).toBeGreaterThan(0.8);
    expect(repeats(shellfish, [peanuts])).toBe(false);
    const memories = [result('peanuts', long('peanuts'), 1), result('shellfish', long('shellfish'), 2)];
    const bundle = buildContext({ memories, query: 'allergies' });
    expect(bundle.memoriesUsed).toEqual(['peanuts', 'shellfish']);
    expect(bundle.dropped.memories).toBe(0);
  });

  it('keeps a lower-ranked memory that says more, and leaves out one whose every word the better one says', () => {
    const short = 'we adopted a dog called Biscuit';
    const more = 'we adopted a dog called Biscuit today';
    expect(repeats(wordSet(more), [wordSet(short)])).toBe(false);
    expect(repeats(wordSet(short), [wordSet(more)])).toBe(true);
    const bundle = buildContext({ memories: [result('more', more, 1), result('short', short, 2)], query: 'the dog' });
    expect(bundle.memoriesUsed).toEqual(['more']);
    expect(bundle.dropped.memories).toBe(1);
  });
});
