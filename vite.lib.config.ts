/**
 * The `mneme` package: library mode, ESM, into `lib/dist`. Our own code and small dependencies are
 * bundled; the model libraries (transformers.js, WebLLM, the ONNX-runtime files) stay imports that
 * the host's bundler resolves from the package's dependencies, so they become lazy chunks the
 * host's users download only when a model first runs, and the WASM is served by the host, never a
 * CDN. The two workers are entries of their own (`worker.js`, `llm-worker.js`), referenced as
 * `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`: the host's bundler
 * sees that pattern and bundles each worker. `npm run pack:sdk` builds this, adds the type
 * declarations and the package manifest, and packs `lib/` into a tarball.
 */
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wasm from 'vite-plugin-wasm';
import { dexieModern } from './tooling/dexie-modern.ts';

const MODEL_LIBRARIES = ['@huggingface/transformers', '@mlc-ai/web-llm', /^onnxruntime-web\//];
const INTEGRATION_PEERS = ['ai', /^ai\//, /^@langchain\//];

/** Points the clients at the worker entries instead of Vite's pre-bundled worker assets, and drops those. */
function workerEntries(): Plugin {
  // What Vite writes for `new Worker(new URL('../worker/x.worker.ts', import.meta.url))` in library mode.
  const pattern =
    /new Worker\(new URL\(\s*\/\* @vite-ignore \*\/\s*new URL\("assets\/(memory|llm)\.worker-[\w-]+\.js", import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'mneme-worker-entries',
    apply: 'build',
    renderChunk(code) {
      if (!code.includes('new Worker(new URL(')) return null;
      return code.replace(
        pattern,
        (_, name: string) => `new Worker(new URL("./${name === 'memory' ? 'worker' : 'llm-worker'}.js", import.meta.url)`,
      );
    },
    generateBundle(_options, bundle) {
      for (const file of Object.keys(bundle)) if (file.startsWith('assets/')) delete bundle[file];
    },
  };
}

export default defineConfig({
  base: './',
  publicDir: false,
  plugins: [svelte(), wasm(), dexieModern(), workerEntries()],
  worker: { format: 'es', plugins: () => [wasm(), dexieModern()], rolldownOptions: { external: MODEL_LIBRARIES } },
  build: {
    outDir: 'lib/dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    chunkSizeWarningLimit: 8192,
    lib: {
      entry: {
        index: 'src/sdk/index.ts',
        worker: 'src/worker/memory.worker.ts',
        'llm-worker': 'src/worker/llm.worker.ts',
        svelte: 'src/svelte/index.svelte.ts',
        vite: 'src/vite/index.ts',
        'ai-sdk': 'src/integrations/ai-sdk/index.ts',
        mem0: 'src/integrations/mem0/index.ts',
        langgraph: 'src/integrations/langgraph/index.ts',
      },
      formats: ['es'],
    },
    // The integrations' libraries are the host's (optional peer dependencies), never bundled.
    rolldownOptions: {
      external: ['svelte', /^svelte\//, ...MODEL_LIBRARIES, ...INTEGRATION_PEERS],
      output: { minify: { codegen: true } },
    },
  },
});
