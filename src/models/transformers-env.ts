/**
 * Loads transformers.js on first use and points it at the models: a local folder (Node path or
 * URL prefix; the hub is then never contacted) or the hub with the browser's cache. In a browser
 * the ONNX-runtime WASM files come from the app itself, never from a CDN. Shared by the embedder
 * and the CPU chat engine.
 */
import { MemoryError, toMemoryError } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import { MODEL_PINS, pinnedFetch, takeRefusal } from './pins';

declare const WorkerGlobalScope: unknown;

export const IS_NODE =
  typeof process !== 'undefined' &&
  typeof process.versions?.node === 'string' &&
  typeof window === 'undefined' &&
  typeof WorkerGlobalScope === 'undefined';

export type Transformers = typeof import('@huggingface/transformers');

/** The fetch functions already wrapped by {@link pinnedFetch} (transformers.js' `env` is one per realm). */
const checked = new WeakSet<object>();

export async function loadTransformers(modelsBaseUrl: string | undefined): Promise<Transformers> {
  const transformers = await import('@huggingface/transformers');
  const { env } = transformers;
  // Every file goes through the pins' check (a file with a pinned hash must match it).
  const withFetch = env as unknown as { fetch: Parameters<typeof pinnedFetch>[0] };
  if (!checked.has(withFetch.fetch)) {
    withFetch.fetch = pinnedFetch(withFetch.fetch, MODEL_PINS);
    checked.add(withFetch.fetch);
  }
  if (modelsBaseUrl) {
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = modelsBaseUrl.endsWith('/') ? modelsBaseUrl : `${modelsBaseUrl}/`;
  } else {
    env.allowLocalModels = false;
    env.allowRemoteModels = true;
  }
  if (!IS_NODE) {
    const { ortWasmPaths } = await import('./ort-assets');
    const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
    if (onnx.wasm) onnx.wasm.wasmPaths = ortWasmPaths;
    // Its WASM cache imports ORT's glue script from a blob: URL, which the app's Content-Security-
    // Policy refuses (scripts only from the app's own files); the service worker caches them instead.
    env.useWasmCache = false;
  }
  return transformers;
}

/** The device transformers.js should use: Node offers `cpu`, browsers `wasm` (CPU via WebAssembly). */
export const CPU_DEVICE = IS_NODE ? 'cpu' : 'wasm';

export type EmbedDevice = 'auto' | 'webgpu' | 'wasm';

/**
 * Where embeddings run: WebGPU when the browser has a hardware adapter (a software one, such as
 * SwiftShader, is slower than WASM), the CPU otherwise. `auto` decides; a forced choice is kept.
 */
export async function embedDevice(choice: EmbedDevice = 'auto'): Promise<'webgpu' | 'wasm' | 'cpu'> {
  if (IS_NODE) return 'cpu';
  if (choice !== 'auto') return choice;
  const gpu = (globalThis.navigator as (Navigator & { gpu?: GPU }) | undefined)?.gpu;
  if (!gpu) return 'wasm';
  try {
    const adapter = await gpu.requestAdapter();
    const info = adapter?.info;
    const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''}`;
    const software = (info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter === true;
    return adapter && !software && !/swiftshader|llvmpipe|software/i.test(text) ? 'webgpu' : 'wasm';
  } catch {
    return 'wasm';
  }
}

interface LoadProgressInfo {
  status: string;
  loaded?: number;
  total?: number;
  name?: string;
}

/** transformers.js' load events as Mneme progress events (`download` while bytes arrive, then `ready`). */
export function progressReporter(model: string, onProgress: ProgressCallback): (info: LoadProgressInfo) => void {
  return (info) => {
    if (info.status === 'progress_total') {
      onProgress({ phase: 'download', loaded: info.loaded ?? 0, total: info.total ?? 0, text: info.name ?? model });
    } else if (info.status === 'ready') {
      onProgress({ phase: 'ready', loaded: 1, total: 1, text: model });
    }
  };
}

/** A load failure as `MODEL_NOT_FOUND` (missing files) or `MODEL_LOAD_FAILED`. */
export function modelError(model: string, error: unknown, what = 'Embedding model'): MemoryError {
  const failure = toMemoryError(error);
  if (failure.code !== 'INTERNAL') return failure;
  const message = failure.message;
  // transformers.js reports a file the pins refused (pinnedFetch) as missing: it is not.
  const refused = takeRefusal(model);
  if (refused)
    return new MemoryError('MODEL_LOAD_FAILED', `${what} ${model} was refused: ${refused.message}`, {
      cause: refused,
      details: { model, ...refused.details },
    });
  const missing = /not found|could not locate|404|ModelFileNotFound|Unable to load|Unexpected token|JSON/i.test(
    `${(error as { name?: string }).name ?? ''} ${message}`,
  );
  return new MemoryError(
    missing ? 'MODEL_NOT_FOUND' : 'MODEL_LOAD_FAILED',
    `${what} ${model} ${missing ? 'was not found' : 'failed to load'}: ${message}`,
    { cause: error, details: { model } },
  );
}
