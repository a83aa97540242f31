import type { IndexSuiteOptions, IndexRow } from './suites/index-suite';
import type { StorageResult } from './suites/storage-suite';

declare global {
  interface Window {
    mnemeBench: {
      index(options: IndexSuiteOptions): Promise<IndexRow[]>;
      storage(n: number, dimension: number, vectorIndex: 'flat' | 'int8' | 'voy'): Promise<StorageResult>;
    };
  }
}
