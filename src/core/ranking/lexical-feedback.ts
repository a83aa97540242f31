/**
 * Lexical pseudo-relevance feedback (RM3-style): the best few results of the fused ranking share words
 * with the other memories that answer the query even when the query does not ("What authors has Tim
 * read?" finds one turn about a book; the others name the same author or genre). Each term of those
 * results gets
 *
 *   w(t) = Σ_d  p(d) · count(t, d) / |d| · rarity(t),   p(d) = the result's score over the top results' sum,
 *
 * and the `terms` best ones that at least `shared` of those results hold, that are not query terms (nor
 * stopwords: the index's analyser drops them), not common (term-stats.ts) and have a letter and three
 * characters, are searched once more
 * (lexical-expansion.ts) at a small weight.
 */
import type { Ranked } from './hybrid';
import type { TermStats } from './term-stats';

export const LEXICAL_FEEDBACK_DEFAULTS = {
  /** How many of the best fused results give their words. */
  from: 5,
  /** How many words the expansion searches. */
  terms: 10,
  /** How many of those results must hold a word. */
  shared: 2,
} as const;

const WORDLIKE = /^(?=.*\p{L}).{3,}$/u;

/** The expansion words (as the index's surface words), best first. */
export function feedbackTerms(
  ranked: readonly Ranked[],
  queryTerms: ReadonlySet<string>,
  stats: TermStats,
  limits: { from: number; terms: number; shared: number } = LEXICAL_FEEDBACK_DEFAULTS,
): string[] {
  const top = ranked.slice(0, limits.from).filter((result) => result.score > 0);
  const total = top.reduce((sum, result) => sum + result.score, 0);
  const weights = new Map<string, number>();
  const holders = new Map<string, number>(); // how many of the top results hold the term
  for (const result of top) {
    const own = stats.of(result.item.id);
    if (!own || own.length === 0) continue;
    const share = result.score / total;
    for (const [term, count] of own.counts) {
      if (queryTerms.has(term) || stats.frequency(term) < 2 || stats.common(term) || !WORDLIKE.test(term)) continue;
      weights.set(term, (weights.get(term) ?? 0) + share * (count / own.length) * stats.rarity(term));
      holders.set(term, (holders.get(term) ?? 0) + 1);
    }
  }
  // A word only one result holds is that result's own topic; the query's topic is what they share.
  for (const [term, count] of holders) if (count < limits.shared) weights.delete(term);
  return [...weights]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limits.terms)
    .map(([term]) => stats.wordOf(term));
}
