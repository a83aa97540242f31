/**
 * The spelling walk (spelling-walk.ts, LexicalIndex.closeTo) finds exactly what `near` one edit further,
 * filtered by the swap-aware distance, found before: the same terms, distances, frequencies and order, so
 * the corrections and the searches built on them do not change; it only walks fewer branches.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLexicalIndex } from '../../../src/storage/lexical/minisearch-index';
import { correctedTerms, editDistance } from '../../../src/core/ranking/spelling';

/** Words over a few letters, so many stored words are one to three edits from each other. */
const word = fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 10 }).map((w) => w.join(''));

function filtered(near: (term: string, distance: number) => { term: string; frequency: number }[], term: string, limit: number) {
  return near(term, limit + 1)
    .map((found) => ({ ...found, distance: editDistance(term, found.term, limit) }))
    .filter((found) => found.distance <= limit);
}

describe('spelling walk', () => {
  it('lists the terms, distances and frequencies near() and editDistance give, in the same order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.array(word, { minLength: 1, maxLength: 6 }),
        (docs, removed, queries) => {
          const index = createLexicalIndex(undefined, () => new Promise<void>(() => undefined));
          docs.forEach((doc, i) => index.upsert(String(i), doc.join(' ')));
          index.search('a', 1); // a short queue is indexed at search
          for (const at of new Set(removed.map((n) => n % docs.length))) index.remove(String(at));
          for (const query of queries)
            for (const limit of [1, 2])
              expect(index.closeTo!(query, limit)).toEqual(filtered(index.near!.bind(index), query, limit));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a swap of neighbouring letters as one edit, and two swaps only where the old search reached them', () => {
    const index = createLexicalIndex();
    ['abcdefgh', 'bacdefgh', 'bacdefhg', 'abcdefghij', 'xyz'].forEach((text, i) => index.upsert(String(i), text));
    index.search('xyz', 1);
    const found = (term: string, limit: number) => index.closeTo!(term, limit).map((t) => [t.term, t.distance]);
    expect(found('abcdefgh', 1)).toEqual([
      ['abcdefgh', 0],
      ['bacdefgh', 1],
    ]);
    // Two swaps are two edits, but four in Levenshtein's count: past near(term, 3), so not listed.
    expect(found('abcdefgh', 2)).toEqual(filtered(index.near!.bind(index), 'abcdefgh', 2).map((t) => [t.term, t.distance]));
    expect(found('abcdefgh', 2).map(([term]) => term)).not.toContain('bacdefhg');
    expect(found('abcdefgh', 2).map(([term]) => term)).toContain('abcdefghij');
  });

  it('gives the corrections near() gave', () => {
    const index = createLexicalIndex();
    ['We went to the music festival', 'The festival was loud', 'A fundraiser for the shelter', 'My education matters'].forEach(
      (text, i) => index.upsert(String(i), text),
    );
    index.search('festival', 1);
    for (const query of [
      'When was the fesetival?',
      'the funraiser and my educaton',
      'the festivxyzl',
      'the muisc',
      'the musik',
    ]) {
      const terms = index.analyse!(query);
      expect(correctedTerms(terms, index.near!.bind(index), index.closeTo!.bind(index))).toEqual(
        correctedTerms(terms, index.near!.bind(index)),
      );
    }
  });
});
