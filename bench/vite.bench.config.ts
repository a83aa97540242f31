/** The dev server the benchmarks run in: the app's WASM and models setup, serving bench/page.html. */
import { defineConfig } from 'vite';
import wasm from 'vite-plugin-wasm';
import { modelsFolder } from '../tooling/models-folder.ts';

export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  plugins: [wasm(), modelsFolder(process.env.MNEME_MODELS)],
  worker: { format: 'es', plugins: () => [wasm()] },
  optimizeDeps: {
    entries: ['bench/page.ts'],
    include: [
      'comlink',
      'dexie',
      'minisearch',
      'zod/mini',
      '@orama/orama',
      'mememo',
      'pouchdb-core',
      'pouchdb-adapter-http',
      'pouchdb-adapter-indexeddb',
      'pouchdb-replication',
    ],
    exclude: ['@huggingface/transformers', 'onnxruntime-web', 'voy-search'],
  },
  // Cross-origin isolation gives performance.now() 5 µs steps (100 µs without): sub-ms queries need it.
  server: {
    port: 0,
    strictPort: false,
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
    // A file saved mid-run must not reload the page under the benchmark: no watcher, no HMR.
    watch: null,
    hmr: false,
  },
  logLevel: 'warn',
});
