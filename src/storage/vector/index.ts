/** The vector indexes, by name. `flat` is exact; `int8` scans quantised codes then re-ranks; `voy` is a WASM k-d tree. */
import type { VectorIndex } from '../../core/ports';
import { createFlatIndex } from './flat-index';
import { createInt8Index } from './int8-index';
import { createVoyIndex } from './voy-index';
import { loadVoy } from './voy-loader';

export type VectorIndexKind = 'flat' | 'int8' | 'voy';
export const VECTOR_INDEX_KINDS: readonly VectorIndexKind[] = ['flat', 'int8', 'voy'];

/** A factory for the chosen kind, after loading what it needs (Voy's WASM). */
export async function vectorIndexFactory(kind: VectorIndexKind): Promise<(dimension: number) => VectorIndex> {
  switch (kind) {
    case 'flat':
      return (dimension) => createFlatIndex(dimension);
    case 'int8':
      return (dimension) => createInt8Index(dimension);
    case 'voy': {
      const voy = await loadVoy();
      return (dimension) => createVoyIndex(dimension, voy);
    }
  }
}
