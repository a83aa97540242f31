/**
 * The {@link Embedder} port over transformers.js feature extraction (mean pooling, unit length).
 * The library is imported on the first call, so a client that never embeds never loads it.
 */
import { MemoryError, throwIfAborted, toMemoryError } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import type { EmbedOptions, Embedder } from '../core/ports';
import { findEmbedder } from './catalog';
import { yieldToEventLoop } from '../core/yield';

export interface TransformersEmbedderOptions {
  /** Model id (`org/name`) on the hub or under `modelsBaseUrl`. */
  model: string;
  /** Local models folder (Node path or URL prefix); when set, the hub is never contacted. */
  modelsBaseUrl?: string;
  /** Texts per model call. Default 32. */
  batchSize?: number;
  /** Download / load progress. */
  onProgress?: ProgressCallback;
}

type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

const IS_NODE =
  typeof process !== 'undefined' &&
  typeof process.versions?.node === 'string' &&
  typeof window === 'undefined' &&
  typeof WorkerGlobalScope === 'undefined';

declare const WorkerGlobalScope: unknown;

export function createTransformersEmbedder(options: TransformersEmbedderOptions): Embedder {
  const entry = findEmbedder(options.model);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  let loading: Promise<FeatureExtractor> | undefined;
  let loadProgress: ProgressCallback | undefined = options.onProgress;

  const load = (): Promise<FeatureExtractor> => {
    loading ??= loadExtractor(options, (event) => loadProgress?.(event)).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    id: options.model,
    ...(entry ? { dimension: entry.dimension } : {}),
    async embed(texts: string[], embedOptions: EmbedOptions = {}): Promise<Float32Array[]> {
      if (embedOptions.onProgress) loadProgress = embedOptions.onProgress;
      const extractor = await load();
      const prefix = embedOptions.kind === 'query' ? entry?.queryPrefix : entry?.passagePrefix;
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        if (start > 0) await yieldToEventLoop();
        throwIfAborted(embedOptions.signal);
        const batch = texts.slice(start, start + batchSize).map((text) => (prefix ? prefix + text : text));
        const output = await extractor(batch, { pooling: 'mean', normalize: true });
        const dimension = output.dims[output.dims.length - 1]!;
        for (let row = 0; row < batch.length; row++) {
          vectors.push(output.data.slice(row * dimension, (row + 1) * dimension));
        }
      }
      return vectors;
    },
  };
}

async function loadExtractor(options: TransformersEmbedderOptions, onProgress: ProgressCallback): Promise<FeatureExtractor> {
  try {
    const transformers = await import('@huggingface/transformers');
    const { env } = transformers;
    if (options.modelsBaseUrl) {
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = options.modelsBaseUrl.endsWith('/') ? options.modelsBaseUrl : `${options.modelsBaseUrl}/`;
    } else {
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
    }
    if (!IS_NODE) {
      const { ortWasmPaths } = await import('./ort-assets');
      const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
      if (onnx.wasm) onnx.wasm.wasmPaths = ortWasmPaths;
    }
    const extractor = await transformers.pipeline('feature-extraction', options.model, {
      device: IS_NODE ? 'cpu' : 'wasm',
      progress_callback: (info: { status: string; loaded?: number; total?: number; name?: string; file?: string }) => {
        if (info.status === 'progress_total') {
          onProgress({ phase: 'download', loaded: info.loaded ?? 0, total: info.total ?? 0, text: info.name ?? options.model });
        } else if (info.status === 'ready') {
          onProgress({ phase: 'ready', loaded: 1, total: 1, text: options.model });
        }
      },
    });
    return extractor as unknown as FeatureExtractor;
  } catch (error) {
    throw modelError(options.model, error);
  }
}

function modelError(model: string, error: unknown): MemoryError {
  const failure = toMemoryError(error);
  if (failure.code !== 'INTERNAL') return failure;
  const message = failure.message;
  const missing = /not found|could not locate|404|ModelFileNotFound|Unable to load|Unexpected token|JSON/i.test(
    `${(error as { name?: string }).name ?? ''} ${message}`,
  );
  return new MemoryError(
    missing ? 'MODEL_NOT_FOUND' : 'MODEL_LOAD_FAILED',
    `Embedding model ${model} ${missing ? 'was not found' : 'failed to load'}: ${message}`,
    { cause: error, details: { model } },
  );
}
