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

/**
 * A module only Node loads, by a name no bundler sees: a host's bundler would otherwise try to
 * resolve it for the browser (a dev server fails on it; a build stubs Node's built-ins out).
 */
function importInNode<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ specifier) as Promise<T>;
}

async function loadInNode(): Promise<VoyModule> {
  const [{ readFile }, { createRequire }, { pathToFileURL }] = await Promise.all([
    importInNode<typeof import('node:fs/promises')>('node:fs/promises'),
    importInNode<typeof import('node:module')>('node:module'),
    importInNode<typeof import('node:url')>('node:url'),
  ]);
  // voy-search has no Node entry: load its wasm-bindgen glue and instantiate the .wasm beside it.
  const require = createRequire(import.meta.url);
  const glue = await importInNode<VoyModule & { __wbg_set_wasm(exports: unknown): void }>(
    pathToFileURL(require.resolve('voy-search/voy_search_bg.js')).href,
  );
  const { instance } = await WebAssembly.instantiate(await readFile(require.resolve('voy-search/voy_search_bg.wasm')), {
    './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  return glue;
}
