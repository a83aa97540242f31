/**
 * What a search does around the fused ranking (hybrid.ts), in order: the relevance floor before it
 * (relevance-floor.ts), then neighbour words (neighbour-terms.ts), the speaker boost (speakers.ts), the
 * time boost (time-prior.ts), the session prior (session-prior.ts), the loan to conversation neighbours
 * (neighbours.ts) and the spread across sessions (session-spread.ts). One object per memory service; it
 * keeps the lazily built indexes these need (threads, speakers, the background vectors).
 */
import type { RankingWeights } from '../../sdk/options';
import type { MemoryItem } from '../../sdk/types';
import type { EmbedderSlot } from '../semantic/embedder-slot';
import type { LexicalHit } from '../ports';
import { byScore, type Ranked } from './hybrid';
import { lendNeighbourTerms } from './neighbour-terms';
import { NEIGHBOUR_DEFAULTS, spreadToNeighbours, Threads } from './neighbours';
import { Background, denseFloor, RELEVANCE_DEFAULTS } from './relevance-floor';
import { boostBySession } from './session-prior';
import { boostNamedSpeakers, Speakers } from './speakers';
import { spreadAcrossSessions } from './session-spread';
import { timeSpans } from './time-expressions';
import { boostByTime, MemoryTimes } from './time-prior';
import { QueryExpansion, type ExpandOptions } from './query-expansion';

export class SearchRefinements {
  readonly #threads = new Threads();
  readonly #speakers = new Speakers();
  readonly #background = new Background();
  readonly #times = new MemoryTimes();
  readonly #expansion = new QueryExpansion();

  /** After a memory is added or removed (threads change) or edited (its speaker may change). */
  invalidate(threads: boolean): void {
    if (threads) this.#threads.invalidate();
    this.#speakers.invalidate();
    this.#times.invalidate();
    this.#expansion.invalidate();
  }

  /** Query expansion (query-expansion.ts): the fused ranking with a second keyword search fused in. */
  expand(ranked: Ranked[], query: string, options: ExpandOptions): Promise<Ranked[]> {
    return this.#expansion.expand(ranked, query, options);
  }

  /** The relevance floor for this query vector, or undefined when it is off or cannot be measured. */
  async floor(queryVector: Float32Array, weights: RankingWeights, embedder: EmbedderSlot): Promise<number | undefined> {
    const margin = weights.relevanceFloor ?? RELEVANCE_DEFAULTS.margin;
    if (margin <= 0) return undefined;
    const background = await this.#background.vectors(embedder.modelId, (texts) => embedder.tryEmbed(texts, 'passage'));
    return background ? denseFloor(queryVector, background, margin) : undefined;
  }

  /** Neighbour words, speaker and time boosts, session prior, neighbours (the best `limit` results lend to the turns beside them), spread. */
  refine(
    ranked: Ranked[],
    query: string,
    options: {
      weights: RankingWeights;
      items: Map<string, MemoryItem>;
      limit: number;
      accept: (id: string) => boolean;
      /** Resolves relative time expressions ("last year"). */
      now: number;
      /** The query's lexical hits (neighbour context in the match). */
      lexical?: LexicalHit[];
    },
  ): Ranked[] {
    const { weights, items, now } = options;
    const worded = lendNeighbourTerms(ranked, {
      weight: weights.neighbourTerms ?? 0,
      lexicalWeight: weights.lexical,
      lexical: options.lexical ?? [],
      neighboursOf: (id) => this.#threads.neighbours(id, items, 1),
      items,
      accept: options.accept,
      sort: false,
    });
    const speakerWeight = weights.speaker ?? 0;
    const mentionWeight = weights.mention ?? 0;
    const named = speakerWeight > 0 || mentionWeight > 0 ? this.#speakers.named(query, items) : new Set<string>();
    const timeWeight = weights.time ?? 0;
    const spans = timeWeight > 0 ? timeSpans(query, now) : [];
    const spoken = boostNamedSpeakers(worded, named, speakerWeight, mentionWeight, false);
    const timed = boostByTime(spoken, spans, timeWeight, (item) => this.#times.of(item, now), false);
    // Each boost adds to scores whatever the order; one sort after all of them (byScore is a total order, so the
    // order is the one a sort after each would leave), before the best `limit` lend to their neighbours.
    const boosted = boostBySession(timed, weights.session ?? 0, false).sort(byScore);
    const spread = spreadToNeighbours(boosted, {
      weight: weights.neighbour ?? NEIGHBOUR_DEFAULTS.weight,
      from: options.limit,
      neighboursOf: (id) => this.#threads.neighbours(id, items),
      items,
      accept: options.accept,
    });
    return spreadAcrossSessions(spread, weights.spread ?? 0);
  }
}
