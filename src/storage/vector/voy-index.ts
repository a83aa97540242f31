/**
 * The VectorIndex port over Voy's k-d tree (voy-search 0.6.3, Rust `kiddo` in WebAssembly).
 * Voy returns neighbour ids without distances, so the neighbours are re-scored exactly from the
 * f32 vectors kept here (cosine = dot on unit vectors; Voy's Euclidean order is the same order).
 *
 * Updates use Voy's own `remove`, which deletes the tree entry whose point and id both match: a
 * replaced vector is removed with the exact resource it was added with. Measured at 10k × 384:
 * 0.14 ms per remove, against 1.3 s to rebuild the tree, so nothing is ever rebuilt.
 *
 * Persistence is the storage layer's binary vector chunks: the tree is rebuilt from them on load
 * (`upsertMany`), never saved as Voy's `serialize()` JSON: 8.25 KB per vector (ten times the
 * float16 row) to save little (10k × 384 in Node: deserialize 0.83 s, rebuild 1.3 s). A rebuild
 * costs ~90 µs a vector (JSON through wasm-bindgen, then a 768-d insert): 0.9 s at 10k, 9 s at 100k
 * in Chromium; the tree holds every point padded to 768 f32 (~1 GB of WASM memory at 100k).
 */
import type { VectorHit } from '../../core/ports';
import { checkDimension, checkPacked, insertSorted, type BulkVectorIndex } from './bulk-index';
import { dotAt } from './flat-index';
import type { VoyIndexHandle, VoyModule, VoyResource } from './voy-loader';

export interface VoyIndexOptions {
  /** Neighbours asked of the tree per result wanted when an `accept` filter is given. Default 4. */
  overfetch?: number;
}

export const VOY_DEFAULTS = { overfetch: 4 } as const;

/** Voy's tree has 768 dimensions; it pads shorter vectors with zeros and cuts longer ones. */
export const VOY_MAX_DIMENSION = 768;

type Embedded = VoyResource['embeddings'][number];

export function createVoyIndex(dimension: number, voy: VoyModule, options: VoyIndexOptions = {}): BulkVectorIndex {
  if (dimension > VOY_MAX_DIMENSION)
    throw new RangeError(`Voy indexes at most ${VOY_MAX_DIMENSION} dimensions, not ${dimension}`);
  const { overfetch } = { ...VOY_DEFAULTS, ...options };
  /** The f32 copy of every vector in the tree, for exact scores and for `remove`. */
  const vectors = new Map<string, Float32Array>();
  let tree: VoyIndexHandle = new voy.Voy();

  const entry = (id: string, vector: Float32Array): Embedded => ({ id, title: '', url: '', embeddings: Array.from(vector) });

  /** Takes `id` out of the tree (if there) and records its new vector; returns Voy's entry for it. */
  const replace = (id: string, source: Float32Array, offset: number): Embedded => {
    const vector = source.slice(offset, offset + dimension);
    // NaN or ±Infinity would reach Voy's JSON as null, and its parser panics inside the WebAssembly.
    if (!vector.every(Number.isFinite)) throw new RangeError(`vector ${id} has a value that is not a finite number`);
    const old = vectors.get(id);
    if (old) tree.remove({ embeddings: [entry(id, old)] });
    vectors.set(id, vector);
    return entry(id, vector);
  };

  /** Exact scan: used when a filter leaves too few of the tree's neighbours. */
  const scan = (query: Float32Array, k: number, accept: (id: string) => boolean): VectorHit[] => {
    const hits: VectorHit[] = [];
    for (const [id, vector] of vectors) {
      if (!accept(id)) continue;
      const score = dotAt(vector, 0, query, dimension);
      if (hits.length < k || score > hits[hits.length - 1]!.score) insertSorted(hits, { id, score }, k);
    }
    return hits;
  };

  return {
    dimension,
    get size() {
      return vectors.size;
    },
    upsert(id, vector) {
      checkDimension(vector.length, dimension);
      tree.add({ embeddings: [replace(id, vector, 0)] });
    },
    // One `add` per vector: sending batches of 1,000 (one JSON document each) measured no faster.
    upsertMany(ids, packed) {
      checkPacked(ids.length, packed.length, dimension);
      ids.forEach((id, i) => id !== null && tree.add({ embeddings: [replace(id, packed, i * dimension)] }));
    },
    remove(id) {
      const old = vectors.get(id);
      if (!old) return;
      tree.remove({ embeddings: [entry(id, old)] });
      vectors.delete(id);
    },
    has: (id) => vectors.has(id),
    vector: (id) => vectors.get(id)?.slice(),
    search(query, k, accept) {
      checkDimension(query.length, dimension);
      if (k <= 0 || vectors.size === 0) return [];
      const wanted = Math.min(vectors.size, accept ? k * overfetch : k);
      const hits: VectorHit[] = [];
      for (const { id } of tree.search(query, wanted).neighbors) {
        const vector = vectors.get(id);
        if (vector && (!accept || accept(id))) hits.push({ id, score: dotAt(vector, 0, query, dimension) });
      }
      if (accept && hits.length < k && wanted < vectors.size) return scan(query, k, accept);
      return hits.sort((a, b) => b.score - a.score).slice(0, k);
    },
    clear() {
      tree.free();
      tree = new voy.Voy();
      vectors.clear();
    },
  };
}
