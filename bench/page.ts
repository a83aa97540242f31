/** The benchmark page: the runner (bench/run.mjs) calls these through Playwright. */
import { runIndexSuite, type IndexSuiteOptions } from './suites/index-suite';
import { runStorageSuite } from './suites/storage-suite';

const log = (text: string) => console.log(`[bench] ${text}`);

Object.assign(window, {
  mnemeBench: {
    index: (options: IndexSuiteOptions) => runIndexSuite(options, log),
    storage: (n: number, dimension: number, vectorIndex: 'flat' | 'int8' | 'voy') => runStorageSuite(n, dimension, vectorIndex),
  },
});
document.getElementById('state')!.textContent = 'ready';
