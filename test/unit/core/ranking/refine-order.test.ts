/**
 * The refinements sort once, after every boost (neighbour words, speaker, time, session) and before the best
 * results lend to their neighbours, instead of after each boost: the same results, scores and order as a sort
 * after each step, whatever the scores (ties included); neighbour words look only at the turns beside a hit.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SearchRefinements } from '../../../../src/core/ranking/refine';
import { lendNeighbourTerms } from '../../../../src/core/ranking/neighbour-terms';
import { spreadToNeighbours, Threads } from '../../../../src/core/ranking/neighbours';
import { boostNamedSpeakers, Speakers } from '../../../../src/core/ranking/speakers';
import { boostByTime, MemoryTimes } from '../../../../src/core/ranking/time-prior';
import { boostBySession } from '../../../../src/core/ranking/session-prior';
import { spreadAcrossSessions } from '../../../../src/core/ranking/session-spread';
import { timeSpans } from '../../../../src/core/ranking/time-expressions';
import { byScore } from '../../../../src/core/ranking/hybrid';
import { DEFAULT_RANKING, type RankingWeights } from '../../../../src/sdk/options';
import type { LexicalHit } from '../../../../src/core/ports';
import { rankedBy, turnItem } from './fixtures';

const NOW = Date.UTC(2024, 0, 1);
const DATES = ['8 May, 2023', '1:56 pm on 9 June, 2023', '3 May, 2023', '20 July, 2022'];
const SPEAKERS = ['Ana', 'Bo', 'Cy'];
const TERMS = ['lake', 'sister', 'paint', 'camp'];
const QUERIES = ['What did Ana paint in May 2023?', 'Where did Bo go camping?', 'lake', 'What happened last year, Cy?'];

/** What refine did before: each boost sorted its results, then the best `limit` lent to their neighbours. */
function sortedAfterEach(ranked: ReturnType<ReturnType<typeof rankedBy>>, query: string, o: Options) {
  const threads = new Threads();
  const times = new MemoryTimes();
  const w = o.weights;
  const worded = lendNeighbourTerms(ranked, {
    weight: w.neighbourTerms ?? 0,
    lexicalWeight: w.lexical,
    lexical: o.lexical,
    neighboursOf: (id) => threads.neighbours(id, o.items, 1),
    items: o.items,
    accept: o.accept,
  });
  const named = new Speakers().named(query, o.items);
  const spoken = boostNamedSpeakers(worded, named, w.speaker ?? 0, w.mention ?? 0);
  const timed = boostByTime(spoken, timeSpans(query, NOW), w.time ?? 0, (item) => times.of(item, NOW));
  const boosted = boostBySession(timed, w.session ?? 0);
  const spread = spreadToNeighbours(boosted, {
    weight: w.neighbour ?? 0,
    from: o.limit,
    neighboursOf: (id) => threads.neighbours(id, o.items),
    items: o.items,
    accept: o.accept,
  });
  return spreadAcrossSessions(spread, w.spread ?? 0);
}

interface Options {
  weights: RankingWeights;
  items: Map<string, ReturnType<typeof turnItem>>;
  limit: number;
  accept: (id: string) => boolean;
  now: number;
  lexical: LexicalHit[];
}

describe('refinements sorted once', () => {
  it('give the results, scores and order of a sort after each boost', () => {
    const turn = fc.record({
      session: fc.integer({ min: 1, max: 3 }),
      speaker: fc.constantFrom(...SPEAKERS),
      date: fc.constantFrom(...DATES),
      at: fc.integer({ min: 0, max: 5 }), // repeated times: ties broken by id
    });
    fc.assert(
      fc.property(
        fc.array(turn, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(0.2, 0.5, 0.8, 1)), { maxLength: 30 }), // candidates, tied scores
        fc.array(fc.tuple(fc.nat(), fc.subarray(TERMS, { minLength: 1 })), { maxLength: 15 }), // keyword hits
        fc.constantFrom(...QUERIES),
        fc.record({ session: fc.constantFrom(0, 0.2), spread: fc.constantFrom(0, 0.3), mention: fc.constantFrom(0, 0.1) }),
        fc.integer({ min: 1, max: 10 }),
        (turns, picks, hits, query, extra, limit) => {
          const items = new Map(
            turns.map((t, i) => [`t${i}`, turnItem(`t${i}`, { session: t.session, speaker: t.speaker, date: t.date }, t.at)]),
          );
          const ids = [...items.keys()];
          const chosen = new Map(picks.map(([at, score]) => [ids[at % ids.length]!, score]));
          const ranked = rankedBy('lexical')([...chosen].map(([id, score]) => [items.get(id)!, score])).sort(byScore);
          const lexical = [...new Map(hits.map(([at, terms]) => [ids[at % ids.length]!, terms]))].map(([id, terms]) => ({
            id,
            score: 1,
            terms,
          }));
          const options: Options = {
            weights: { ...DEFAULT_RANKING, ...extra },
            items,
            limit,
            accept: (id) => id !== 't3',
            now: NOW,
            lexical,
          };
          const refined = new SearchRefinements().refine(ranked, query, options);
          expect(refined).toEqual(sortedAfterEach(ranked, query, options));
          // Each memory once, every candidate kept.
          const found = refined.map((r) => r.item.id);
          expect(new Set(found).size).toBe(found.length);
          expect(ranked.filter((r) => !found.includes(r.item.id))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
