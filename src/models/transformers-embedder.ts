/**
 * The {@link Embedder} port over transformers.js feature extraction (mean pooling, unit length).
 * The library is imported on the first call, so a client that never embeds never loads it.
 */
import { throwIfAborted } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import type { EmbedOptions, Embedder } from '../core/ports';
import { findEmbedder } from './catalog';
import { yieldToEventLoop } from '../core/yield';
import { BatchPacer } from './batch-pacer';
import type { EmbedDevice } from './transformers-env';
import type { FeatureExtractor } from './transformers-extractor';

export interface TransformersEmbedderOptions {
  /** Model id (`org/name`) on the hub or under `modelsBaseUrl`. */
  model: string;
  /** Local models folder (Node path or URL prefix); when set, the hub is never contacted. */
  modelsBaseUrl?: string;
  /** Most texts per model call. Default 32; a model slow enough to hold the worker for long gets smaller batches (batch-pacer.ts). */
  batchSize?: number;
  /** Download / load progress. */
  onProgress?: ProgressCallback;
  /** `auto` (default): WebGPU on a hardware adapter, WASM otherwise; WASM is used when WebGPU fails to load. */
  device?: EmbedDevice;
}

export function createTransformersEmbedder(options: TransformersEmbedderOptions): Embedder {
  const entry = findEmbedder(options.model);
  const pacer = new BatchPacer(Math.max(1, options.batchSize ?? 32));
  let loading: Promise<FeatureExtractor> | undefined;
  let loadProgress: ProgressCallback | undefined = options.onProgress;

  const load = (): Promise<FeatureExtractor> => {
    // The library's settings (paths, device, pinned revisions) load with it, on the first embedding.
    loading ??= import('./transformers-extractor')
      .then(({ loadExtractor }) => loadExtractor(options, (event) => loadProgress?.(event)))
      .catch((error: unknown) => {
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
      let ranSince = performance.now();
      for (let start = 0; start < texts.length;) {
        const count = pacer.next(texts.length - start);
        // Other calls (a search, an abort) get a turn every few milliseconds, not after every batch:
        // a turn costs a task hop, and small fast batches would spend a fifth of their time on them.
        if (start > 0 && pacer.shouldYield(performance.now() - ranSince, count)) {
          await yieldToEventLoop();
          ranSince = performance.now();
        }
        throwIfAborted(embedOptions.signal);
        const batch = texts.slice(start, start + count).map((text) => (prefix ? prefix + text : text));
        const began = performance.now();
        const output = await extractor(batch, { pooling: 'mean', normalize: true });
        pacer.took(batch.length, performance.now() - began);
        const dimension = output.dims[output.dims.length - 1]!;
        // Views onto the batch's own output (made for this call), not a copy per text: whoever
        // keeps a vector copies it (the indexes, the chunk rows), and a view is copied, never
        // moved, across the worker boundary (see worker/transfer.ts).
        for (let row = 0; row < batch.length; row++) {
          vectors.push(output.data.subarray(row * dimension, (row + 1) * dimension));
        }
        start += batch.length;
      }
      return vectors;
    },
    async dispose() {
      const extractor = await loading?.catch(() => undefined);
      loading = undefined;
      await (extractor as { dispose?: () => Promise<void> } | undefined)?.dispose?.();
    },
  };
}
