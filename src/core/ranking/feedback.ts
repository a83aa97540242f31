/**
 * Query feedback through the embedder's own neighbours (pseudo-relevance feedback, Rocchio): the
 * best few results of the fused ranking say what the query is about in the memories' own words, so
 * the query vector is moved towards their centroid and the dense list is searched again:
 *
 *   q' = q̂ + weight · ĉ,   q̂ the unit query, ĉ the unit centroid of the top `from` results' vectors.
 *
 * A question that shares few words with the turns that answer it ("What activities does Ana do?")
 * reaches them through the first turns it found ("I signed up for a pottery class"). The lexical
 * list is not changed, so a keyword match keeps its place. Part of the same search call: one more
 * scan of the vector index (the relevance floor is measured again for the new vector).
 */
import type { VectorIndex } from '../ports';
import type { Ranked } from './hybrid';

export const FEEDBACK_DEFAULTS = {
  /** How many of the best fused results form the centroid. */
  from: 3,
} as const;

function unit(vector: Float32Array): Float32Array | undefined {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  if (!(norm > 0)) return undefined;
  const scale = 1 / Math.sqrt(norm);
  return vector.map((x) => x * scale);
}

/**
 * The moved query (unit length), or undefined when nothing moves it (weight 0, no usable vector
 * among the results, or vectors of another dimension).
 */
export function expandQuery(
  query: Float32Array,
  results: readonly (Float32Array | undefined)[],
  weight: number,
): Float32Array | undefined {
  if (weight <= 0) return undefined;
  const vectors = results.filter((v): v is Float32Array => v !== undefined && v.length === query.length);
  const q = unit(query);
  if (vectors.length === 0 || !q) return undefined;
  const sum = new Float32Array(query.length);
  for (const vector of vectors) {
    const u = unit(vector);
    if (u) for (let i = 0; i < sum.length; i++) sum[i]! += u[i]!;
  }
  const centroid = unit(sum);
  if (!centroid) return undefined;
  return unit(q.map((x, i) => x + weight * centroid[i]!));
}

/** The moved query for a search's first ranking, or undefined when feedback is off or cannot run. */
export function feedbackQuery(
  query: Float32Array | undefined,
  ranked: readonly Ranked[],
  weight: number,
  index: VectorIndex | undefined,
): Float32Array | undefined {
  if (weight <= 0 || !query || !index?.vector) return undefined;
  const top = ranked.slice(0, FEEDBACK_DEFAULTS.from).map((result) => index.vector!(result.item.id));
  return expandQuery(query, top, weight);
}
