/**
 * Peers: vector search a user might pick instead of ours, on the same vectors and queries as the
 * index suite, beside our default (int8) and exact (flat) in the same page: Orama's vector search.
 * (MeMemo's HNSW, the other named peer, is browser-only and stores its graph in IndexedDB; it is
 * not wired in here.) Recall@10 is against the exact flat scan.
 */
import { create, insertMultiple, search } from '@orama/orama';
import { HNSW } from 'mememo';
import { createVectorIndex } from '../../src/storage/vector/index';
import type { VectorHit } from '../../src/core/ports';
import { packedUnitVectors, percentile } from '../data';

export interface PeerRow {
  engine: string;
  size: number;
  loadMs: number;
  queryP50Ms: number;
  queryP95Ms: number;
  recallAt10: number;
}

export async function runPeerSuite(sizes: number[], dimension: number, queryCount: number, hnswMax = 10_000): Promise<PeerRow[]> {
  const rows: PeerRow[] = [];
  for (const size of sizes) {
    const packed = packedUnitVectors(size, dimension, size, 50, 1.5);
    const queryRows = packedUnitVectors(queryCount, dimension, size + 1, 50, 1.5);
    const queries = Array.from({ length: queryCount }, (_, q) => queryRows.subarray(q * dimension, (q + 1) * dimension));
    const ids = Array.from({ length: size }, (_, i) => `m${i}`);

    const flat = await createVectorIndex('flat', dimension);
    flat.upsertMany(ids, packed);
    const truth = queries.map((query) => flat.search(query, 10));

    const ours = await createVectorIndex('int8', dimension);
    let start = performance.now();
    ours.upsertMany(ids, packed);
    const oursLoad = performance.now() - start;

    const orama = create({ schema: { embedding: `vector[${dimension}]` } as const });
    start = performance.now();
    await insertMultiple(
      orama,
      ids.map((id, i) => ({ id, embedding: Array.from(packed.subarray(i * dimension, (i + 1) * dimension)) })),
      1000,
    );
    const oramaLoad = performance.now() - start;

    const oursTimes: number[] = [];
    const oramaTimes: number[] = [];
    const oursHits: VectorHit[][] = [];
    const oramaHits: VectorHit[][] = [];
    for (const query of queries) {
      start = performance.now();
      oursHits.push(ours.search(query, 10));
      oursTimes.push(performance.now() - start);
      const value = Array.from(query);
      start = performance.now();
      const result = await search(orama, { mode: 'vector', vector: { value, property: 'embedding' }, similarity: -1, limit: 10 });
      oramaTimes.push(performance.now() - start);
      oramaHits.push(result.hits.map((hit) => ({ id: String(hit.id), score: hit.score })));
    }
    let hnswRow: PeerRow | undefined;
    if (size <= hnswMax) {
      const hnsw = new HNSW({ distanceFunction: 'cosine-normalized', useIndexedDB: false, seed: 7 });
      start = performance.now();
      await hnsw.bulkInsert(
        ids,
        ids.map((_, i) => Array.from(packed.subarray(i * dimension, (i + 1) * dimension))),
      );
      const hnswLoad = performance.now() - start;
      const times: number[] = [];
      const hits: VectorHit[][] = [];
      for (const query of queries) {
        const value = Array.from(query);
        start = performance.now();
        const found = await hnsw.query(value, 10);
        times.push(performance.now() - start);
        hits.push(found.keys.map((key, k) => ({ id: key, score: 1 - found.distances[k]! })));
      }
      hnswRow = {
        engine: 'MeMemo 0.1 HNSW',
        size,
        loadMs: hnswLoad,
        queryP50Ms: percentile(times, 50),
        queryP95Ms: percentile(times, 95),
        recallAt10: 0,
      };
      hnswRow.recallAt10 =
        hits.reduce((sum, list, q) => sum + list.filter((h) => truth[q]!.some((t) => t.id === h.id)).length, 0) /
        (queries.length * 10);
    }
    const recall = (hits: VectorHit[][]) =>
      hits.reduce((sum, list, q) => sum + list.filter((h) => truth[q]!.some((t) => t.id === h.id)).length, 0) /
      (queries.length * 10);
    rows.push(
      {
        engine: 'Mneme int8 (default)',
        size,
        loadMs: oursLoad,
        queryP50Ms: percentile(oursTimes, 50),
        queryP95Ms: percentile(oursTimes, 95),
        recallAt10: recall(oursHits),
      },
      {
        engine: 'Orama 3 vector search',
        size,
        loadMs: oramaLoad,
        queryP50Ms: percentile(oramaTimes, 50),
        queryP95Ms: percentile(oramaTimes, 95),
        recallAt10: recall(oramaHits),
      },
      ...(hnswRow ? [hnswRow] : []),
    );
  }
  return rows;
}
