/**
 * Query expansion around the fused ranking, before the other refinements (refine.ts): lexical
 * pseudo-relevance feedback (lexical-feedback.ts) and the embedder's neighbour words (term-neighbours.ts),
 * each one more keyword search fused at its own small weight (lexical-expansion.ts), and misspelt query words
 * (spelling.ts), searched as the stored word they most likely meant. All need the lexical index's analyser;
 * without it (or with every weight 0) the ranking passes through untouched. The first two, off by
 * default, load with the first search that turns one on (corpus-expansion.ts).
 */
import type { RankingWeights } from '../../sdk/options';
import type { MemoryItem } from '../../sdk/types';
import type { LexicalHit, LexicalIndex } from '../ports';
import type { EmbedderSlot } from '../semantic/embedder-slot';
import type { Ranked } from './hybrid';
import { fuseExpansion } from './lexical-expansion';
import { correctedTerms, mayBeMisspelt } from './spelling';
import type { CorpusExpansion } from './corpus-expansion';

/** Loads corpus-expansion.ts (tests count the loads or make one fail). */
export type LoadCorpusExpansion = () => Promise<Pick<typeof import('./corpus-expansion'), 'CorpusExpansion'>>;

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
  readonly #load: LoadCorpusExpansion;
  /** Made once its module has loaded; searches that race the load share it, a failed load is tried again. */
  #corpus: CorpusExpansion | undefined;
  #loading: Promise<CorpusExpansion> | undefined;

  constructor(load: LoadCorpusExpansion = () => import('./corpus-expansion')) {
    this.#load = load;
  }

  invalidate(): void {
    this.#corpus?.invalidate();
  }

  #corpusExpansion(): Promise<CorpusExpansion> {
    return (this.#loading ??= this.#load().then(
      ({ CorpusExpansion }) => (this.#corpus ??= new CorpusExpansion()),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    ));
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
    return (await this.#corpusExpansion()).expand(out, ranked, queryTerms, analyse, options, fusion);
  }
}
