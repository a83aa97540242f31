/**
 * Exact nearest-neighbour search: a dot product against every stored vector, kept in one
 * contiguous Float32Array that grows by doubling. Removal swaps the last row into the hole.
 */
import type { VectorHit } from '../../core/ports';
import { checkDimension, checkPacked, insertSorted, type BulkVectorIndex } from './bulk-index';
import { decodeFloat16Into } from '../float16';

export interface FlatIndexOptions {
  /** Rows allocated up front; storage then grows by doubling. Default 256. */
  initialCapacity?: number;
}

export const FLAT_DEFAULTS = { initialCapacity: 256 } as const;

export function createFlatIndex(dimension: number, options: FlatIndexOptions = {}): BulkVectorIndex {
  const { initialCapacity } = { ...FLAT_DEFAULTS, ...options };
  let data = new Float32Array(dimension * initialCapacity);
  let ids: string[] = [];
  const rowOf = new Map<string, number>();

  /** Room for `rows` rows, growing by doubling. */
  const reserve = (rows: number) => {
    if (rows * dimension <= data.length) return;
    const next = new Float32Array(Math.max(rows * dimension, data.length * 2));
    next.set(data);
    data = next;
  };

  const place = (id: string): number => {
    let row = rowOf.get(id);
    if (row === undefined) {
      row = ids.length;
      reserve(row + 1);
      ids.push(id);
      rowOf.set(id, row);
    }
    return row;
  };

  return {
    dimension,
    get size() {
      return ids.length;
    },
    upsert(id, vector) {
      checkDimension(vector.length, dimension);
      const row = place(id); // before reading `data`: placing may grow it
      data.set(vector, row * dimension);
    },
    reserve,
    upsertMany(batch, packed) {
      checkPacked(batch.length, packed.length, dimension);
      reserve(ids.length + batch.length);
      batch.forEach((id, i) => {
        if (id === null) return;
        const row = place(id);
        data.set(packed.subarray(i * dimension, (i + 1) * dimension), row * dimension);
      });
    },
    upsertHalf(batch, bits) {
      checkPacked(batch.length, bits.length, dimension);
      reserve(ids.length + batch.length);
      batch.forEach((id, i) => {
        if (id === null) return;
        const row = place(id); // before reading `data`: placing may grow it
        decodeFloat16Into(data, row * dimension, bits, i * dimension, dimension);
      });
    },
    remove(id) {
      const row = rowOf.get(id);
      if (row === undefined) return;
      const last = ids.length - 1;
      if (row !== last) {
        data.copyWithin(row * dimension, last * dimension, (last + 1) * dimension);
        ids[row] = ids[last]!;
        rowOf.set(ids[row]!, row);
      }
      ids.pop();
      rowOf.delete(id);
    },
    has: (id) => rowOf.has(id),
    vector(id) {
      const row = rowOf.get(id);
      return row === undefined ? undefined : data.slice(row * dimension, (row + 1) * dimension);
    },
    search(query, k, accept) {
      checkDimension(query.length, dimension);
      const hits: VectorHit[] = [];
      if (k <= 0) return hits;
      let worst = -Infinity;
      for (let row = 0; row < ids.length; row++) {
        const score = dotAt(data, row * dimension, query, dimension);
        if (hits.length >= k && score <= worst) continue;
        const id = ids[row]!;
        if (accept && !accept(id)) continue;
        insertSorted(hits, { id, score }, k);
        worst = hits.length >= k ? hits[hits.length - 1]!.score : -Infinity;
      }
      return hits;
    },
    clear() {
      ids = [];
      rowOf.clear();
      data = new Float32Array(dimension * initialCapacity);
    },
  };
}

/**
 * Dot product of `query` with the row of `data` starting at `base`. Four independent sums let the
 * JIT overlap the multiply-adds. Float32Array only: one array type keeps the call monomorphic.
 */
export function dotAt(data: Float32Array, base: number, query: Float32Array, dimension: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dimension; d += 4) {
    s0 += data[base + d]! * query[d]!;
    s1 += data[base + d + 1]! * query[d + 1]!;
    s2 += data[base + d + 2]! * query[d + 2]!;
    s3 += data[base + d + 3]! * query[d + 3]!;
  }
  for (; d < dimension; d++) s0 += data[base + d]! * query[d]!;
  return s0 + s1 + s2 + s3;
}
