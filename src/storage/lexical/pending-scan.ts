/**
 * Memories written but not yet in the lexical index (it indexes them in slices after the write
 * commits, see minisearch-index.ts) are still found: a search scans them and scores each with
 * the same BM25+ as MiniSearch, over the document frequencies of the index and the pending ones
 * together. A cheap substring test picks the candidates first: a term is always a prefix of the
 * lower-cased word it came from, but for the `y` of "ies" → "y" (see stem.ts), so a memory whose
 * lower-cased text does not contain the term (without a final `y`) cannot hold it.
 */
import type { LexicalHit } from '../../core/ports';

/** The BM25+ parameters the index searches with. */
export interface Bm25 {
  k: number;
  b: number;
  d: number;
}

/** A memory waiting to be indexed; its lower-cased text and terms are worked out at the first search that needs them. */
export interface PendingText {
  text: string;
  lower?: string;
  /** Term → count, and the number of distinct words (MiniSearch's field length). */
  terms?: { counts: Map<string, number>; length: number };
}

export interface Analyzer {
  tokenize(text: string): string[];
  processTerm(term: string): string | null;
}

/** Terms of a memory as the index would hold them. */
function analyse(entry: PendingText, analyzer: Analyzer): NonNullable<PendingText['terms']> {
  if (entry.terms) return entry.terms;
  const tokens = analyzer.tokenize(entry.text);
  const counts = new Map<string, number>();
  for (const token of tokens) {
    const term = analyzer.processTerm(token);
    if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
  }
  entry.terms = { counts, length: new Set(tokens).size };
  return entry.terms;
}

/**
 * Hits among the pending memories for the query's `terms` (processed, repeats kept as MiniSearch
 * keeps them). `indexed`: the index's document count, average length (distinct words) and each term's
 * document frequency there. Scores are close to, not always equal to, those the index gives once it holds them.
 */
export function scanPending(
  pending: ReadonlyMap<string, PendingText>,
  terms: string[],
  indexed: { documents: number; averageLength: number; frequency: (term: string) => number },
  analyzer: Analyzer,
  bm25: Bm25,
  accept?: (id: string) => boolean,
): LexicalHit[] {
  const distinct = [...new Set(terms)];
  if (distinct.length === 0 || pending.size === 0) return [];
  const probes = distinct.map((term) => (term.length > 1 && term.endsWith('y') ? term.slice(0, -1) : term));
  const matches: { id: string; terms: NonNullable<PendingText['terms']> }[] = [];
  for (const [id, entry] of pending) {
    entry.lower ??= entry.text.toLowerCase();
    if (!probes.some((probe) => entry.lower!.includes(probe))) continue;
    const analysed = analyse(entry, analyzer);
    if (distinct.some((term) => analysed.counts.has(term))) matches.push({ id, terms: analysed });
  }
  const documents = indexed.documents + pending.size;
  // The length a memory is compared with: the index's average, or the matches' while nothing is indexed.
  const averageLength =
    indexed.averageLength || matches.reduce((sum, match) => sum + match.terms.length, 0) / matches.length || 1;
  const idf = new Map(
    distinct.map((term) => {
      const frequency = indexed.frequency(term) + matches.filter((match) => match.terms.counts.has(term)).length;
      return [term, Math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))];
    }),
  );
  const hits: LexicalHit[] = [];
  for (const { id, terms: analysed } of matches) {
    if (accept && !accept(id)) continue;
    let score = 0;
    const held = distinct.filter((term) => analysed.counts.has(term));
    for (const term of terms) {
      const count = analysed.counts.get(term);
      if (!count) continue;
      const norm = bm25.k * (1 - bm25.b + (bm25.b * analysed.length) / averageLength);
      score += idf.get(term)! * (bm25.d + (count * (bm25.k + 1)) / (count + norm));
    }
    hits.push({ id, score: score * held.length, terms: held });
  }
  return hits;
}
