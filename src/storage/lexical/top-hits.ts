/**
 * The best hits of a keyword search, read from MiniSearch's own term index with MiniSearch's own
 * arithmetic, without what its `search` builds for every document holding any query word: a match
 * map per document and term (object literals keyed by the term, a slow path in V8), merged term by
 * term, a result object each, and a sort of them all. A question that names a speaker matches half
 * a conversation's turns, and only the best `k` are kept: sums are kept in typed arrays by short id,
 * and the terms a hit holds are listed for the `k` returned only.
 *
 * Same hits, scores and order as `MiniSearch.search` with exact terms, OR, one field and no boosts
 * (the way minisearch-index.ts searches): per document the BM25+ of each query term it holds, added
 * in the order of the query's terms (a repeated term counts again), times the number of distinct
 * query terms it holds; best first, ties in the order documents were first met. A document
 * discarded and not yet vacuumed is dropped from the term's postings as MiniSearch drops it (and
 * counted out of that term's frequency from then on). test/unit/storage/lexical-top-hits.test.ts
 * checks all of this against MiniSearch's search.
 */
import type MiniSearch from 'minisearch';
import type { LexicalHit } from '../../core/ports';
import type { Bm25 } from './pending-scan';

/** What MiniSearch keeps private and a search reads (MiniSearch 7). */
interface Postings {
  _index: { get(term: string): Map<number, Map<number, number>> | undefined };
  _documentIds: Map<number, unknown>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentCount: number;
  _fieldIds: Record<string, number>;
  removeTerm(fieldId: number, documentId: number, term: string): void;
}

/**
 * Each document's sum so far and how many distinct query terms it holds, by its short id, reused from search
 * to search (a search resets what it touched): nothing is built for a document met but not returned.
 */
let sums = new Float64Array(1024);
let counts = new Uint16Array(1024);

/**
 * The best `k` documents of `search` for the processed query `terms` (repeats kept) in `field`, among
 * those `accept` lets through.
 */
export function topHits(
  search: MiniSearch,
  field: string,
  terms: readonly string[],
  bm25: Bm25,
  k: number,
  accept?: (id: string) => boolean,
): LexicalHit[] {
  const index = search as unknown as Postings;
  const fieldId = index._fieldIds[field]!;
  const average = index._avgFieldLength[fieldId]!;
  const distinct: Map<number, number>[] = []; // the postings of each distinct term met, in query order
  const named: string[] = [];
  const met: number[] = []; // documents in the order they were first met
  for (const term of terms) {
    const postings = index._index.get(term)?.get(fieldId);
    if (postings === undefined) continue;
    const first = !named.includes(term); // a repeated term adds to the sums again, not to the terms held
    if (first) {
      named.push(term);
      distinct.push(postings);
    }
    let matching = postings.size;
    for (const [document, frequency] of postings) {
      if (!index._documentIds.has(document)) {
        index.removeTerm(fieldId, document, term);
        matching -= 1;
        continue;
      }
      const length = index._fieldLength.get(document)![fieldId]!;
      const score = bm25Score(frequency, matching, index._documentCount, length, average, bm25);
      if (document >= sums.length) grow(document);
      if (counts[document] === 0) met.push(document);
      sums[document] = sums[document]! + score;
      if (first) counts[document] = counts[document]! + 1;
    }
  }
  let hits: { document: number; id: string; score: number }[] = [];
  for (const document of met) {
    hits.push({ document, id: String(index._documentIds.get(document)), score: sums[document]! * counts[document]! });
    sums[document] = 0;
    counts[document] = 0;
  }
  if (accept) hits = hits.filter((hit) => accept(hit.id));
  // Array sort is stable: equal scores keep the order documents were first met, as in MiniSearch.
  hits.sort((a, b) => b.score - a.score);
  const out: LexicalHit[] = [];
  for (let at = 0; at < hits.length && at < k; at++) {
    const { document, id, score } = hits[at]!;
    out.push({ id, score, terms: named.filter((_, i) => distinct[i]!.has(document)) });
  }
  return out;
}

function grow(document: number): void {
  const size = Math.max(document + 1, sums.length * 2);
  const [nextSums, nextCounts] = [new Float64Array(size), new Uint16Array(size)];
  nextSums.set(sums);
  nextCounts.set(counts);
  [sums, counts] = [nextSums, nextCounts];
}

/** MiniSearch's BM25+ of one term in one document, written as it writes it (the same rounding). */
function bm25Score(frequency: number, matching: number, total: number, length: number, average: number, bm25: Bm25): number {
  const { k, b, d } = bm25;
  const inverse = Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
  return inverse * (d + (frequency * (k + 1)) / (frequency + k * (1 - b + (b * length) / average)));
}
