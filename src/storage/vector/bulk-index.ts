/** What every vector index here adds to the {@link VectorIndex} port, and the helpers they share. */
import type { VectorHit, VectorIndex } from '../../core/ports';

/** A {@link VectorIndex} that can also load many vectors at once (the storage layer's packed chunks). */
export interface BulkVectorIndex extends VectorIndex {
  /**
   * Adds or replaces `ids[i]` with `packed[i·dimension … (i+1)·dimension)`; the same as calling
   * `upsert` for each, with one allocation. A null id is an empty slot, skipped: a stored chunk
   * (ids with freed slots, one Float32Array) loads as it is. `packed` is copied, never kept.
   */
  upsertMany(ids: readonly (string | null)[], packed: Float32Array): void;
}

/** Throws the RangeError every index gives for a vector (or packed batch) of the wrong length. */
export function checkDimension(length: number, expected: number): void {
  if (length !== expected) throw new RangeError(`expected ${expected} dimensions, got ${length}`);
}

/** Throws unless `packed` holds exactly `count` vectors (or empty slots) of `dimension` values. */
export function checkPacked(count: number, length: number, dimension: number): void {
  if (length !== count * dimension) throw new RangeError(`expected ${count} × ${dimension} values, got ${length}`);
}

/** Keeps `hits` sorted by descending score and at most `k` long; equal scores keep arrival order. */
export function insertSorted(hits: VectorHit[], hit: VectorHit, k: number): void {
  let at = hits.length;
  while (at > 0 && hits[at - 1]!.score < hit.score) at--;
  hits.splice(at, 0, hit);
  if (hits.length > k) hits.pop();
}
