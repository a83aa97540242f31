/**
 * The query expansions that read the whole profile's term statistics (term-stats.ts): the
 * embedder's neighbour words (term-neighbours.ts) and lexical pseudo-relevance feedback
 * (lexical-feedback.ts), each one more keyword search fused at its own weight. Both are off by
 * default, so query-expansion.ts loads this module with the first search that turns one on: a
 * search with the default ranking never downloads it (the memory worker's start stays smaller).
 */
import type { Ranked } from './hybrid';
import { fuseExpansion, type ExpansionOptions } from './lexical-expansion';
import { feedbackTerms } from './lexical-feedback';
import { TermNeighbours } from './term-neighbours';
import { TermStats, type Analyse } from './term-stats';
import type { ExpandOptions } from './query-expansion';

export class CorpusExpansion {
  readonly #stats = new TermStats();
  readonly #neighbours = new TermNeighbours();

  invalidate(): void {
    this.#stats.invalidate();
  }

  /** `out` (the ranking so far) with the neighbour words' and the feedback words' searches fused in. */
  async expand(
    out: Ranked[],
    ranked: Ranked[],
    query: ReturnType<Analyse>,
    analyse: Analyse,
    options: ExpandOptions,
    fusion: Omit<ExpansionOptions, 'search' | 'weight'>,
  ): Promise<Ranked[]> {
    const { weights, items, lexical } = options;
    const feedback = weights.lexicalFeedback ?? 0;
    const neighbours = weights.termNeighbours ?? 0;
    const stats = this.#stats.sync(items, analyse);
    const asked = new Set(query.map((t) => t.term));
    const search = (text: string) => lexical.search(text, options.pool, options.accept);
    if (neighbours > 0) {
      const words = await this.#neighbours.of(query, stats, options.embedder, options.signal);
      out = fuseExpansion(out, words, { ...fusion, search, weight: neighbours });
    }
    if (feedback > 0) out = fuseExpansion(out, feedbackTerms(ranked, asked, stats), { ...fusion, search, weight: feedback });
    return out;
  }
}
