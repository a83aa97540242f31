/**
 * Index suite: flat, int8 and Voy side by side on the same vectors and queries, one dataset and
 * size at a time, all three loaded at once and taking turns query by query, so a noisy machine
 * slows them alike. Per index: load time (upsertMany from packed rows, the cold-start path), the
 * cost of one live upsert and of one replacement, query latency p50/p95 (top-10, plain and with a
 * filter that accepts 10% of ids), recall@10 against the flat index's exact results, and bytes.
 */
import {
  createVectorIndex,
  VECTOR_INDEX_KINDS,
  type BulkVectorIndex,
  type VectorIndexKind,
} from '../../src/storage/vector/index';
import { strideFor } from '../../src/storage/vector/int8-kernel';
import type { VectorHit } from '../../src/core/ports';
import { packedUnitVectors, percentile } from '../data';

export type IndexDataset = 'random' | 'clustered' | 'near-duplicates';

/** Centres and their weight for each dataset (see {@link packedUnitVectors}). */
const DATASETS: Record<IndexDataset, { clusters: number; spread: number }> = {
  random: { clusters: 0, spread: 0 },
  clustered: { clusters: 50, spread: 1.5 },
  'near-duplicates': { clusters: 500, spread: 10 },
};

export interface IndexRow {
  index: VectorIndexKind;
  size: number;
  dimension: number;
  data: IndexDataset;
  /** upsertMany of every vector, packed as the storage layer keeps them, until searchable. */
  loadMs: number;
  /** The same load as one upsert per vector (what the memory service does without upsertMany). */
  loadOneByOneMs: number;
  /** One upsert of a new id into the loaded index, averaged over a batch. */
  upsertUs: number;
  /** One upsert of an existing id (a replacement), averaged over a batch. */
  replaceUs: number;
  queryP50Ms: number;
  queryP95Ms: number;
  /** Top-10 with an `accept` filter that keeps one id in ten. */
  filteredP50Ms: number;
  recallAt10: number;
  filteredRecallAt10: number;
  /** Query p50 divided by flat's on the same data (below 1 = faster than flat). */
  p50VsFlat: number;
  loadVsFlat: number;
  /** Bytes stored per vector: the storage layer's float16 row plus any index share (none: every index is rebuilt from the rows). */
  persistedBytesPerVector: number;
  /** Bytes the index holds in memory per vector (Voy: its 768-d f32 tree point plus the JS copy, a lower bound). */
  memoryBytesPerVector: number;
}

export interface IndexSuiteOptions {
  sizes: number[];
  dimension: number;
  queries: number;
  filteredQueries: number;
  data: IndexDataset[];
  kinds?: VectorIndexKind[];
}

const time = (run: () => void) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};

const keepOneInTen = (id: string) => id.charCodeAt(id.length - 1) % 10 === 0;

function recall(results: VectorHit[][], truth: VectorHit[][]): number {
  let found = 0;
  let wanted = 0;
  results.forEach((hits, q) => {
    const expected = new Set(truth[q]!.map((h) => h.id));
    wanted += expected.size;
    found += hits.filter((h) => expected.has(h.id)).length;
  });
  return wanted === 0 ? 1 : found / wanted;
}

function memoryBytes(kind: VectorIndexKind, dimension: number): number {
  const f32 = 4 * dimension;
  if (kind === 'flat') return f32;
  if (kind === 'int8') return f32 + strideFor(dimension) + 16 + 4;
  return f32 + 4 * 768;
}

/** Times `search` on every index for every query, the indexes taking turns query by query (noise hits all alike). */
function timeQueries(
  indexes: BulkVectorIndex[],
  queries: Float32Array[],
  accept?: (id: string) => boolean,
): { times: number[][]; results: VectorHit[][][] } {
  const times = indexes.map((): number[] => []);
  const results = indexes.map((): VectorHit[][] => []);
  queries.forEach((query, q) => {
    for (let turn = 0; turn < indexes.length; turn++) {
      const i = (q + turn) % indexes.length;
      const start = performance.now();
      const hits = indexes[i]!.search(query, 10, accept);
      times[i]!.push(performance.now() - start);
      results[i]!.push(hits);
    }
  });
  return { times, results };
}

/** Microseconds per upsert of `count` vectors from `rows`, under ids made by `id`. */
function upsertMicros(index: BulkVectorIndex, rows: Float32Array, count: number, id: (i: number) => string): number {
  const { dimension } = index;
  return (
    (time(() => {
      for (let i = 0; i < count; i++) index.upsert(id(i), rows.subarray(i * dimension, (i + 1) * dimension));
    }) *
      1000) /
    count
  );
}

export async function runIndexSuite(options: IndexSuiteOptions, log: (text: string) => void): Promise<IndexRow[]> {
  const rows: IndexRow[] = [];
  const { dimension } = options;
  const kinds: VectorIndexKind[] = ['flat', ...(options.kinds ?? VECTOR_INDEX_KINDS).filter((k) => k !== 'flat')];
  for (const data of options.data) {
    const { clusters, spread } = DATASETS[data];
    for (const size of options.sizes) {
      const packed = packedUnitVectors(size, dimension, size, clusters, spread);
      const ids = Array.from({ length: size }, (_, i) => `m${i}`);
      const added = 500;
      const extra = packedUnitVectors(added + 1, dimension, size + 2, clusters, spread);
      const queryRows = packedUnitVectors(options.queries, dimension, size + 1, clusters, spread);
      const queries = Array.from({ length: options.queries }, (_, q) => queryRows.subarray(q * dimension, (q + 1) * dimension));

      const indexes: BulkVectorIndex[] = [];
      const loadMs: number[] = [];
      for (const kind of kinds) {
        const index = await createVectorIndex(kind, dimension);
        loadMs.push(time(() => index.upsertMany(ids, packed)));
        for (const query of queries.slice(0, 5)) index.search(query, 10); // warm-up
        indexes.push(index);
      }
      const plain = timeQueries(indexes, queries);
      const filtered = timeQueries(indexes, queries.slice(0, options.filteredQueries), keepOneInTen);
      const [flatP50, flatLoad] = [percentile(plain.times[0]!, 50), loadMs[0]!];
      kinds.forEach((kind, i) => {
        const index = indexes[i]!;
        // The first insert past the loaded size doubles the storage: made before the timed ones.
        index.upsert('x-first', extra.subarray(added * dimension));
        const upsertUs = upsertMicros(index, extra, added, (n) => `x${n}`);
        const replaceUs = upsertMicros(index, extra, added, (n) => `m${n}`);
        index.clear();
        const loadOneByOneMs = time(() => {
          for (let n = 0; n < size; n++) index.upsert(ids[n]!, packed.subarray(n * dimension, (n + 1) * dimension));
        });
        index.clear();
        const p50 = percentile(plain.times[i]!, 50);
        rows.push({
          index: kind,
          size,
          dimension,
          data,
          loadMs: loadMs[i]!,
          loadOneByOneMs,
          upsertUs,
          replaceUs,
          queryP50Ms: p50,
          queryP95Ms: percentile(plain.times[i]!, 95),
          filteredP50Ms: percentile(filtered.times[i]!, 50),
          recallAt10: recall(plain.results[i]!, plain.results[0]!),
          filteredRecallAt10: recall(filtered.results[i]!, filtered.results[0]!),
          p50VsFlat: p50 / flatP50,
          loadVsFlat: loadMs[i]! / flatLoad,
          persistedBytesPerVector: 2 * dimension,
          memoryBytesPerVector: memoryBytes(kind, dimension),
        });
        log(`index ${kind} ${data} ${size}: load ${loadMs[i]!.toFixed(0)} ms, p50 ${p50.toFixed(3)} ms`);
      });
      await new Promise((resolve) => setTimeout(resolve, 0)); // let the page breathe (and collect) between sizes
    }
  }
  return rows;
}
