/**
 * The VectorIndex port over Voy's k-d tree. Voy returns neighbour ids without distances, so the
 * neighbours are re-scored exactly from the f32 vectors kept here (cosine = dot on unit vectors;
 * Voy's Euclidean order is the same order). Persistence is the storage layer's binary vector
 * chunks: the tree is rebuilt from them on load, never saved as Voy's ~8 KB-per-vector JSON.
 */
import type { VectorHit, VectorIndex } from '../../core/ports';
import type { VoyIndexHandle, VoyModule, VoyResource } from './voy-loader';

/** Neighbours fetched from the tree per result wanted, to leave room for filtered-out ones. */
const OVERFETCH = 4;

const resource = (id: string, vector: Float32Array): VoyResource => ({
  embeddings: [{ id, title: '', url: '', embeddings: Array.from(vector) }],
});

export function createVoyIndex(dimension: number, voy: VoyModule): VectorIndex {
  const vectors = new Map<string, Float32Array>();
  let tree: VoyIndexHandle = new voy.Voy();

  const exactScore = (vector: Float32Array, query: Float32Array) => {
    let score = 0;
    for (let d = 0; d < dimension; d++) score += vector[d]! * query[d]!;
    return score;
  };

  /** Exact scan: used when a filter leaves too few of the tree's neighbours. */
  const scan = (query: Float32Array, k: number, accept?: (id: string) => boolean): VectorHit[] =>
    [...vectors]
      .filter(([id]) => !accept || accept(id))
      .map(([id, vector]) => ({ id, score: exactScore(vector, query) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);

  return {
    dimension,
    get size() {
      return vectors.size;
    },
    upsert(id, vector) {
      if (vector.length !== dimension) throw new RangeError(`expected ${dimension} dimensions, got ${vector.length}`);
      const old = vectors.get(id);
      if (old) tree.remove(resource(id, old));
      const copy = vector.slice();
      vectors.set(id, copy);
      tree.add(resource(id, copy));
    },
    remove(id) {
      const old = vectors.get(id);
      if (!old) return;
      tree.remove(resource(id, old));
      vectors.delete(id);
    },
    has: (id) => vectors.has(id),
    search(query, k, accept) {
      if (k <= 0 || vectors.size === 0) return [];
      const fetch = Math.min(vectors.size, accept ? k * OVERFETCH : k);
      const hits: VectorHit[] = [];
      for (const { id } of tree.search(query, fetch).neighbors) {
        const vector = vectors.get(id);
        if (vector && (!accept || accept(id))) hits.push({ id, score: exactScore(vector, query) });
      }
      if (hits.length < Math.min(k, vectors.size) && accept) return scan(query, k, accept);
      return hits.sort((a, b) => b.score - a.score).slice(0, k);
    },
    clear() {
      tree.free();
      tree = new voy.Voy();
      vectors.clear();
    },
  };
}
