/**
 * Index suite: flat, int8 and Voy side by side on the same vectors and queries. Build time,
 * query latency p50/p95 (top-10), recall@10 against the exact flat results.
 */
import { vectorIndexFactory, type VectorIndexKind } from '../../src/storage/vector/index';
import type { VectorHit } from '../../src/core/ports';
import { percentile, unitVectors } from '../data';

export interface IndexRow {
  index: VectorIndexKind;
  size: number;
  dimension: number;
  data: 'random' | 'clustered';
  buildMs: number;
  queryP50Ms: number;
  queryP95Ms: number;
  recallAt10: number;
  /** Query p50 divided by flat's at the same size (below 1 = faster than flat). */
  p50VsFlat: number;
  skipped?: string;
}

export interface IndexSuiteOptions {
  sizes: number[];
  dimension: number;
  queries: number;
  /** Largest size Voy is built at (its inserts are slow); bigger sizes are reported as skipped. */
  voyMaxSize: number;
  data: ('random' | 'clustered')[];
}

export async function runIndexSuite(options: IndexSuiteOptions, log: (text: string) => void): Promise<IndexRow[]> {
  const rows: IndexRow[] = [];
  for (const data of options.data) {
    for (const size of options.sizes) {
      const vectors = unitVectors(size, options.dimension, size, data === 'clustered' ? 50 : 0);
      const queries = unitVectors(options.queries, options.dimension, size + 1, data === 'clustered' ? 50 : 0);
      let truth: VectorHit[][] = [];
      let flatP50 = NaN;
      for (const kind of ['flat', 'int8', 'voy'] as const) {
        if (kind === 'voy' && size > options.voyMaxSize) {
          rows.push({
            index: kind,
            size,
            dimension: options.dimension,
            data,
            buildMs: NaN,
            queryP50Ms: NaN,
            queryP95Ms: NaN,
            recallAt10: NaN,
            p50VsFlat: NaN,
            skipped: `build above ${options.voyMaxSize} not run (see its build time per vector)`,
          });
          continue;
        }
        const index = (await vectorIndexFactory(kind))(options.dimension);
        let start = performance.now();
        vectors.forEach((vector, i) => index.upsert(`m${i}`, vector));
        const buildMs = performance.now() - start;
        const times: number[] = [];
        const results: VectorHit[][] = [];
        for (const query of queries) {
          start = performance.now();
          results.push(index.search(query, 10));
          times.push(performance.now() - start);
        }
        if (kind === 'flat') truth = results;
        let found = 0;
        results.forEach((hits, q) => {
          const expected = new Set(truth[q]!.map((h) => h.id));
          found += hits.filter((h) => expected.has(h.id)).length;
        });
        const p50 = percentile(times, 50);
        if (kind === 'flat') flatP50 = p50;
        rows.push({
          index: kind,
          size,
          dimension: options.dimension,
          data,
          buildMs,
          queryP50Ms: p50,
          queryP95Ms: percentile(times, 95),
          recallAt10: found / (queries.length * 10),
          p50VsFlat: p50 / flatP50,
        });
        log(`index ${kind} ${data} ${size}: build ${buildMs.toFixed(0)} ms, p50 ${p50.toFixed(2)} ms`);
        index.clear();
      }
    }
  }
  return rows;
}
