/**
 * Quantised scan with exact re-rank: each vector is kept as int8 (symmetric, its own scale:
 * max |x| ↦ 127) for a fast first pass, and as f32 for the exact scores of the best candidates.
 * Scores returned are exact cosine; recall depends only on the re-rank pool.
 */
import type { VectorHit, VectorIndex } from '../../core/ports';

export interface Int8IndexOptions {
  /** Candidates re-scored exactly: `max(minRerank, rerankFactor × k)`. Defaults 40 and 4. */
  rerankFactor?: number;
  minRerank?: number;
  initialCapacity?: number;
}

export const INT8_DEFAULTS = { rerankFactor: 4, minRerank: 40, initialCapacity: 256 } as const;

export function createInt8Index(dimension: number, options: Int8IndexOptions = {}): VectorIndex {
  const { rerankFactor, minRerank, initialCapacity } = { ...INT8_DEFAULTS, ...options };
  let codes = new Int8Array(dimension * initialCapacity);
  let scales = new Float32Array(initialCapacity);
  let ids: string[] = [];
  const rowOf = new Map<string, number>();
  const vectors = new Map<string, Float32Array>();

  const grow = () => {
    const nextCodes = new Int8Array(codes.length * 2);
    nextCodes.set(codes);
    codes = nextCodes;
    const nextScales = new Float32Array(scales.length * 2);
    nextScales.set(scales);
    scales = nextScales;
  };

  const quantise = (row: number, vector: Float32Array) => {
    let max = 0;
    for (const x of vector) max = Math.max(max, Math.abs(x));
    const scale = max === 0 ? 0 : max / 127;
    scales[row] = scale;
    const base = row * dimension;
    for (let d = 0; d < dimension; d++) codes[base + d] = scale === 0 ? 0 : Math.round(vector[d]! / scale);
  };

  return {
    dimension,
    get size() {
      return ids.length;
    },
    upsert(id, vector) {
      if (vector.length !== dimension) throw new RangeError(`expected ${dimension} dimensions, got ${vector.length}`);
      let row = rowOf.get(id);
      if (row === undefined) {
        row = ids.length;
        if ((row + 1) * dimension > codes.length) grow();
        ids.push(id);
        rowOf.set(id, row);
      }
      vectors.set(id, vector.slice());
      quantise(row, vector);
    },
    remove(id) {
      const row = rowOf.get(id);
      if (row === undefined) return;
      const last = ids.length - 1;
      if (row !== last) {
        codes.copyWithin(row * dimension, last * dimension, (last + 1) * dimension);
        scales[row] = scales[last]!;
        ids[row] = ids[last]!;
        rowOf.set(ids[row]!, row);
      }
      ids.pop();
      rowOf.delete(id);
      vectors.delete(id);
    },
    has: (id) => rowOf.has(id),
    search(query, k, accept) {
      if (k <= 0 || ids.length === 0) return [];
      const pool = Math.min(ids.length, Math.max(minRerank, rerankFactor * k));
      const candidates: VectorHit[] = [];
      let worst = -Infinity;
      for (let row = 0; row < ids.length; row++) {
        const score = dotInt8(codes, row * dimension, query, dimension) * scales[row]!;
        if (candidates.length >= pool && score <= worst) continue;
        const id = ids[row]!;
        if (accept && !accept(id)) continue;
        let at = candidates.length;
        while (at > 0 && candidates[at - 1]!.score < score) at--;
        candidates.splice(at, 0, { id, score });
        if (candidates.length > pool) candidates.pop();
        worst = candidates.length >= pool ? candidates[candidates.length - 1]!.score : -Infinity;
      }
      const rescored = candidates.map(({ id }) => {
        const vector = vectors.get(id)!;
        let score = 0;
        for (let d = 0; d < dimension; d++) score += vector[d]! * query[d]!;
        return { id, score };
      });
      return rescored.sort((a, b) => b.score - a.score).slice(0, k);
    },
    clear() {
      ids = [];
      rowOf.clear();
      vectors.clear();
      codes = new Int8Array(dimension * initialCapacity);
      scales = new Float32Array(initialCapacity);
    },
  };
}

/** The dot product of flat-index's `dotAt` for int8 codes (its own function, so each stays monomorphic). */
function dotInt8(codes: Int8Array, base: number, query: Float32Array, dimension: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dimension; d += 4) {
    s0 += codes[base + d]! * query[d]!;
    s1 += codes[base + d + 1]! * query[d + 1]!;
    s2 += codes[base + d + 2]! * query[d + 2]!;
    s3 += codes[base + d + 3]! * query[d + 3]!;
  }
  for (; d < dimension; d++) s0 += codes[base + d]! * query[d]!;
  return s0 + s1 + s2 + s3;
}
