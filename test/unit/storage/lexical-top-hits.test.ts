import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import MiniSearch, { type Options } from 'minisearch';
import { topHits } from '../../../src/storage/lexical/top-hits';

const BM25 = { k: 1.2, b: 0.75, d: 0.5 };
const options: Options = { fields: ['text'], storeFields: [], searchOptions: { combineWith: 'OR', bm25: BM25 } };
const WORDS = ['lake', 'kayak', 'caroline', 'melanie', 'support', 'group', 'paint', 'sunrise', 'camp', 'kid'];

/** What MiniSearch's own search gives, cut as the lexical index cuts it. */
function expected(search: MiniSearch, query: string, k: number, accept?: (id: string) => boolean) {
  const filter = accept ? { filter: (result: { id: unknown }) => accept(String(result.id)) } : {};
  return search
    .search(query, filter)
    .slice(0, k)
    .map((result) => ({ id: String(result.id), score: result.score, terms: result.queryTerms }));
}

describe('keyword hits read from the term index', () => {
  it('gives exactly MiniSearch’s hits, scores and order: repeated query words, filters, cuts, discarded texts', () => {
    const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 12 }).map((words) => words.join(' '));
    const query = fc.array(fc.constantFrom(...WORDS, 'absent'), { minLength: 1, maxLength: 5 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 50 }),
        (docs, discards, queries, k) => {
          // Two copies of one index: each search below also tidies discarded texts out of the index it reads.
          const [ours, theirs] = [new MiniSearch(options), new MiniSearch(options)];
          for (const search of [ours, theirs]) {
            docs.forEach((doc, i) => search.add({ id: String(i), text: doc }));
            for (const at of new Set(discards.map((n) => n % docs.length))) search.discard(String(at));
          }
          const accept = (id: string) => Number(id) % 3 !== 1;
          for (const q of queries) {
            const terms = q.split(' ');
            expect(topHits(ours, 'text', terms, BM25, k)).toEqual(expected(theirs, q, k));
            expect(topHits(ours, 'text', terms, BM25, k, accept)).toEqual(expected(theirs, q, k, accept));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ranks a text holding more of the query words first, and finds nothing for words no text holds', () => {
    const search = new MiniSearch(options);
    ['lake lake kayak', 'lake', 'kayak sunrise'].forEach((text, id) => search.add({ id: String(id), text }));
    const hits = topHits(search, 'text', ['lake', 'kayak'], BM25, 10);
    expect(hits.map((hit) => [hit.id, hit.terms])).toEqual([
      ['0', ['lake', 'kayak']],
      ['1', ['lake']], // shorter than the other
      ['2', ['kayak']],
    ]);
    expect(topHits(search, 'text', ['absent'], BM25, 10)).toEqual([]);
  });
});
