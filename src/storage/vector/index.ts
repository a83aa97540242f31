/**
 * The vector indexes, by name. `flat` is exact; `int8` scans quantised codes (WebAssembly SIMD)
 * then re-scores the candidates exactly; `voy` is Voy's WASM k-d tree with exact re-scoring.
 * All three return the exact f32 dot product as the score. `npm run bench` compares them.
 */
import { createFlatIndex, type FlatIndexOptions } from './flat-index';
import { createInt8Index, type Int8IndexOptions } from './int8-index';
import type { VoyIndexOptions } from './voy-index';
import type { BulkVectorIndex } from './bulk-index';

export type { BulkVectorIndex } from './bulk-index';

export interface VectorIndexOptions {
  flat: FlatIndexOptions;
  int8: Int8IndexOptions;
  voy: VoyIndexOptions;
}

export type VectorIndexKind = keyof VectorIndexOptions;

/** Each kind's factory. Async because `voy` loads its WebAssembly on first use. */
export const VECTOR_INDEXES: {
  [K in VectorIndexKind]: (dimension: number, options?: VectorIndexOptions[K]) => Promise<BulkVectorIndex>;
} = {
  flat: async (dimension, options) => createFlatIndex(dimension, options),
  int8: async (dimension, options) => createInt8Index(dimension, options),
  voy: async (dimension, options) => (await voyFactory(options))(dimension),
};

/** Voy's index and its WASM load only when a profile uses it (int8 is the default). */
async function voyFactory(options?: VoyIndexOptions): Promise<(dimension: number) => BulkVectorIndex> {
  const [{ createVoyIndex }, { loadVoy }] = await Promise.all([import('./voy-index'), import('./voy-loader')]);
  const voy = await loadVoy();
  return (dimension) => createVoyIndex(dimension, voy, options);
}

export const VECTOR_INDEX_KINDS = Object.keys(VECTOR_INDEXES) as VectorIndexKind[];

export function createVectorIndex<K extends VectorIndexKind>(
  kind: K,
  dimension: number,
  options?: VectorIndexOptions[K],
): Promise<BulkVectorIndex> {
  return (VECTOR_INDEXES[kind] as (dimension: number, options?: VectorIndexOptions[K]) => Promise<BulkVectorIndex>)(
    dimension,
    options,
  );
}

/** A synchronous factory for the chosen kind, after loading what it needs (Voy's WASM). */
export async function vectorIndexFactory<K extends VectorIndexKind>(
  kind: K,
  options?: VectorIndexOptions[K],
): Promise<(dimension: number) => BulkVectorIndex> {
  switch (kind) {
    case 'flat':
      return (dimension) => createFlatIndex(dimension, options as FlatIndexOptions | undefined);
    case 'int8':
      return (dimension) => createInt8Index(dimension, options as Int8IndexOptions | undefined);
    default:
      return voyFactory(options as VoyIndexOptions | undefined);
  }
}
