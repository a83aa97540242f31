import type { IndexSuiteOptions, IndexRow } from './suites/index-suite';
import type { StorageResult } from './suites/storage-suite';
import type { BreakdownPart } from './suites/storage-breakdown';
import type { BatchRow, EmbeddingResult } from './suites/embedding-suite';
import type { ContextResult } from './suites/context-suite';
import type { PeerRow } from './suites/peer-suite';
import type { SyncResult, SyncSuiteOptions } from './suites/sync-suite';

declare global {
  interface Window {
    mnemeBench: {
      index(options: IndexSuiteOptions): Promise<IndexRow[]>;
      storage(n: number, dimension: number, vectorIndex: 'flat' | 'int8' | 'voy', keep?: boolean): Promise<StorageResult>;
      /** Absent in a tree older than the fresh-page open (bench/compare.mjs runs this runner over older trees). */
      freshOpen?(
        profileId: string,
        dimension: number,
        vectorIndex: 'flat' | 'int8' | 'voy',
      ): Promise<{ freshStartMs: number; freshFirstSearchMs: number }>;
      phase(n: number, dimension: number, which: 'persist' | 'cold start'): Promise<number>;
      breakdown(n: number, dimension: number): Promise<BreakdownPart[]>;
      embedding(options: { models: string[]; texts: number; batch: number; rounds: number }): Promise<EmbeddingResult[]>;
      context(n: number, queries: number): Promise<ContextResult>;
      batches(options: { model: string; texts: number; batches: number[]; rounds: number }): Promise<BatchRow[]>;
      peers(options: { sizes: number[]; dimension: number; queries: number }): Promise<PeerRow[]>;
      sync(url: string, options: SyncSuiteOptions): Promise<SyncResult>;
    };
  }
}
