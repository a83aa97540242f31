/**
 * Query expansion through the embedder's own neighbours: each query term is embedded as a text, and
 * the index's terms (the memories' vocabulary) whose embedding is closest to it join the expansion
 * (`TERM_NEIGHBOURS_DEFAULTS.perTerm` per query term, at least `minSimilarity` cosine; common words, see
 * term-stats.ts, neither expand nor are added), so "authors"
 * also searches "writer" and "novel". Works with any embedder: every vocabulary term is embedded as a
 * text through the same port, lazily on the first expanded search and then only the terms new since,
 * cached per model (a 5k-term vocabulary is 5k one-word texts: one batched pass, cheap for word vectors,
 * a few seconds once for a transformer in the worker). Per search: one embed call of the query's terms
 * and a scan of the vocabulary per term (5k × dimension multiply-adds).
 */
import type { EmbedderSlot } from '../semantic/embedder-slot';
import type { TermStats } from './term-stats';

export const TERM_NEIGHBOURS_DEFAULTS = {
  perTerm: 2,
  minSimilarity: 0.7,
  /** Vocabulary terms embedded per model call. */
  batch: 256,
} as const;

const WORDLIKE = /^(?=.*\p{L}).{3,}$/u;

function unit(vector: Float32Array): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  return norm > 0 ? vector.map((x) => x / Math.sqrt(norm)) : undefined;
}

export class TermNeighbours {
  #model: string | undefined;
  /** Term → unit vector (undefined: the embedder gave none). */
  readonly #vectors = new Map<string, Float32Array | undefined>();

  /** The neighbour words of the query's terms (surface words, not query terms), best first. */
  async of(
    query: readonly { word: string; term: string }[],
    stats: TermStats,
    embedder: EmbedderSlot,
    signal?: AbortSignal,
    limits: { perTerm: number; minSimilarity: number } = TERM_NEIGHBOURS_DEFAULTS,
  ): Promise<string[]> {
    if (query.length === 0 || !(await this.#vocabulary(stats, embedder, signal))) return [];
    const asked = new Set(query.map((t) => t.term));
    const words = query.filter((t) => !stats.common(t.term)).map((t) => t.word);
    const queryVectors = (await embedder.tryEmbed(words, 'query', signal)) ?? [];
    const found = new Map<string, number>();
    for (const raw of queryVectors) {
      const q = unit(raw);
      if (!q) continue;
      const best: [string, number][] = [];
      for (const [term, vector] of this.#vectors) {
        if (!vector || vector.length !== q.length || asked.has(term) || stats.frequency(term) === 0 || stats.common(term))
          continue;
        let dot = 0;
        for (let i = 0; i < q.length; i++) dot += q[i]! * vector[i]!;
        if (dot < limits.minSimilarity) continue;
        best.push([term, dot]);
        best.sort((a, b) => b[1] - a[1]);
        if (best.length > limits.perTerm) best.pop();
      }
      for (const [term, similarity] of best) found.set(term, Math.max(found.get(term) ?? 0, similarity));
    }
    return [...found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([term]) => stats.wordOf(term));
  }

  /** Embeds the vocabulary terms not embedded yet with the current model; false when it cannot. */
  async #vocabulary(stats: TermStats, embedder: EmbedderSlot, signal?: AbortSignal): Promise<boolean> {
    if (!embedder.usable || !embedder.modelId) return false;
    if (this.#model !== embedder.modelId) {
      this.#vectors.clear();
      this.#model = embedder.modelId;
    }
    const missing = [...stats.terms()].filter((term) => !this.#vectors.has(term) && WORDLIKE.test(term));
    for (let at = 0; at < missing.length; at += TERM_NEIGHBOURS_DEFAULTS.batch) {
      const terms = missing.slice(at, at + TERM_NEIGHBOURS_DEFAULTS.batch);
      const vectors = await embedder.tryEmbed(
        terms.map((term) => stats.wordOf(term)),
        'query',
        signal,
      );
      if (!vectors) return false;
      terms.forEach((term, i) => this.#vectors.set(term, vectors[i] ? unit(vectors[i]) : undefined));
    }
    return true;
  }
}
