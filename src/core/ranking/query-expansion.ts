/**
 * Query expansion around the fused ranking, before the other refinements (refine.ts): lexical
 * pseudo-relevance feedback (lexical-feedback.ts) and the embedder's neighbour words (term-neighbours.ts),
 * each one more keyword search fused at its own small weight (lexical-expansion.ts), and misspelt query words
 * (spelling.ts), searched as the stored word they most likely meant. All need the lexical index's analyser;
 * without it (or with every weight 0) the ranking passes through untouched.
 */
import type { RankingWeights } from '../../sdk/options';
import type { MemoryItem } from '../../sdk/types';
import type { LexicalHit, LexicalIndex } from '../ports';
import type { EmbedderSlot } from '../semantic/embedder-slot';
import type { Ranked } from './hybrid';
import { fuseExpansion } from './lexical-expansion';
import { feedbackTerms } from './lexical-feedback';
import { correctedTerms, mayBeMisspelt } from './spelling';
import { TermNeighbours } from './term-neighbours';
import { TermStats } from './term-stats';

export interface ExpandOptions {
  weights: RankingWeights;
  items: Map<string, MemoryItem>;
  lexical: LexicalIndex;
  /** The query's keyword hits: the words they hold need no spelling check. */
  hits: readonly LexicalHit[];
  /** The search's candidate pool and filter, for the second keyword search. */
  pool: number;
  accept: (id: string) => boolean;
  embedder: EmbedderSlot;
  signal?: AbortSignal | undefined;
}

export class QueryExpansion {
  readonly #stats = new TermStats();
  readonly #neighbours = new TermNeighbours();

  invalidate(): void {
    this.#stats.invalidate();
  }

  async expand(ranked: Ranked[], query: string, options: ExpandOptions): Promise<Ranked[]> {
    const { weights, items, lexical } = options;
    const feedback = weights.lexicalFeedback ?? 0;
    const neighbours = weights.termNeighbours ?? 0;
    const spelling = weights.spelling ?? 0;
    if ((feedback <= 0 && neighbours <= 0 && spelling <= 0) || !lexical.analyse) return ranked;
    const analyse = lexical.analyse.bind(lexical);
    const queryTerms = analyse(query);
    // Spelling alone costs nothing while every query word a check could correct is in a keyword hit.
    const held = new Set(options.hits.flatMap((hit) => hit.terms ?? []));
    const told = options.hits.every((hit) => hit.terms !== undefined);
    const unheard = !told || queryTerms.some((t) => mayBeMisspelt(t.term) && !held.has(t.term));
    const fusion = { lexicalWeight: weights.lexical, items };
    let out = ranked;
    if (spelling > 0 && unheard && lexical.near && lexical.searchTerms) {
      const terms = correctedTerms(queryTerms, lexical.near.bind(lexical), lexical.closeTo?.bind(lexical));
      const search = () => lexical.searchTerms!(terms, options.pool, options.accept);
      out = fuseExpansion(out, terms, { ...fusion, search, weight: spelling });
    }
    if (feedback <= 0 && neighbours <= 0) return out;
    const stats = this.#stats.sync(items, analyse);
    const asked = new Set(queryTerms.map((t) => t.term));
    const search = (text: string) => lexical.search(text, options.pool, options.accept);
    if (neighbours > 0) {
      const words = await this.#neighbours.of(queryTerms, stats, options.embedder, options.signal);
      out = fuseExpansion(out, words, { ...fusion, search, weight: neighbours });
    }
    if (feedback > 0) out = fuseExpansion(out, feedbackTerms(ranked, asked, stats), { ...fusion, search, weight: feedback });
    return out;
  }
}
