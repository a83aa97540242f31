/** The benchmark page: the runner (bench/run.mjs) calls these through Playwright. */
import { runIndexSuite, type IndexSuiteOptions } from './suites/index-suite';
import { runFreshOpen, runStoragePhase, runStorageSuite } from './suites/storage-suite';
import { runStorageBreakdown } from './suites/storage-breakdown';
import { runBatchSweep, runEmbeddingSuite } from './suites/embedding-suite';
import { runContextSuite } from './suites/context-suite';
import { runPeerSuite } from './suites/peer-suite';
import { runSyncSuite, type SyncSuiteOptions } from './suites/sync-suite';

const log = (text: string) => console.log(`[bench] ${text}`);

Object.assign(window, {
  mnemeBench: {
    index: (options: IndexSuiteOptions) => runIndexSuite(options, log),
    storage: (n: number, dimension: number, vectorIndex: 'flat' | 'int8' | 'voy', keep?: boolean) =>
      runStorageSuite(n, dimension, vectorIndex, keep),
    freshOpen: (profileId: string, dimension: number, vectorIndex: 'flat' | 'int8' | 'voy') =>
      runFreshOpen(profileId, dimension, vectorIndex),
    phase: (n: number, dimension: number, which: 'persist' | 'cold start') => runStoragePhase(n, dimension, which),
    breakdown: (n: number, dimension: number) => runStorageBreakdown(n, dimension),
    embedding: (o: { models: string[]; texts: number; batch: number; rounds: number }) =>
      runEmbeddingSuite(o.models, o.texts, o.batch, o.rounds),
    context: (n: number, queries: number) => runContextSuite(n, queries),
    batches: (o: { model: string; texts: number; batches: number[]; rounds: number }) =>
      runBatchSweep(o.model, o.texts, o.batches, o.rounds),
    peers: (o: { sizes: number[]; dimension: number; queries: number }) => runPeerSuite(o.sizes, o.dimension, o.queries),
    sync: (url: string, o: SyncSuiteOptions) => runSyncSuite(url, o, log),
  },
});
document.getElementById('state')!.textContent = 'ready';
