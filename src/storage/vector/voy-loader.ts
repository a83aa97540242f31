/**
 * Loads voy-search (a k-d tree compiled to WASM) on first use. Bundlers with WASM-module support
 * (the app's Vite build) import it as it is; Node instantiates the same .wasm from disk.
 */
export interface VoyResource {
  embeddings: { id: string; title: string; url: string; embeddings: number[] }[];
}

export interface VoyIndexHandle {
  add(resource: VoyResource): void;
  remove(resource: VoyResource): void;
  search(query: Float32Array, k: number): { neighbors: { id: string }[] };
  clear(): void;
  size(): number;
  free(): void;
}

export interface VoyModule {
  Voy: new (resource?: VoyResource) => VoyIndexHandle;
}

let loading: Promise<VoyModule> | undefined;

const IS_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';

export function loadVoy(): Promise<VoyModule> {
  loading ??= (IS_NODE ? loadInNode() : (import('voy-search') as unknown as Promise<VoyModule>)).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadInNode(): Promise<VoyModule> {
  const specifier = 'voy-search/voy_search_bg.js';
  const glue = (await import(/* @vite-ignore */ specifier)) as VoyModule & { __wbg_set_wasm(exports: unknown): void };
  const [{ readFile }, { createRequire }] = await Promise.all([import('node:fs/promises'), import('node:module')]);
  const wasmPath = createRequire(import.meta.url).resolve('voy-search/voy_search_bg.wasm');
  const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
    './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  return glue;
}
