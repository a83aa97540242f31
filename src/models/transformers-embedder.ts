/**
 * The {@link Embedder} port over transformers.js feature extraction (mean pooling, unit length).
 * The library is imported on the first call, so a client that never embeds never loads it.
 */
import { throwIfAborted } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import type { EmbedOptions, Embedder } from '../core/ports';
import { findEmbedder } from './catalog';
import { yieldToEventLoop } from '../core/yield';
import type { EmbedDevice } from './transformers-env';
import type { FeatureExtractor } from './transformers-extractor';

/**
 * Longest stretch of embedding work between two turns for other messages (ms). A turn costs a
 * task hop, and on a busy machine the thread may wait for a core after it: 12 ms cost fast models
 * a tenth of their speed. 25 ms plus one batch of a fast model (about 4 ms) still leaves a search
 * that arrives meanwhile room to answer within 50 ms (`npm run bench -- --only embedding`).
 */
const YIELD_EVERY_MS = 25;

export interface TransformersEmbedderOptions {
  /** Model id (`org/name`) on the hub or under `modelsBaseUrl`. */
  model: string;
  /** Local models folder (Node path or URL prefix); when set, the hub is never contacted. */
  modelsBaseUrl?: string;
  /** Texts per model call. Default 32. */
  batchSize?: number;
  /** Download / load progress. */
  onProgress?: ProgressCallback;
  /** `auto` (default): WebGPU on a hardware adapter, WASM otherwise; WASM is used when WebGPU fails to load. */
  device?: EmbedDevice;
}

export function createTransformersEmbedder(options: TransformersEmbedderOptions): Embedder {
  const entry = findEmbedder(options.model);
  const batchSize = Math.max(1, options.batchSize ?? 32);
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
      for (let start = 0; start < texts.length; start += batchSize) {
        // Other calls (a search, an abort) get a turn every few milliseconds, not after every batch:
        // a yield costs a task hop, and small fast batches would spend a fifth of their time on them.
        if (start > 0 && performance.now() - ranSince > YIELD_EVERY_MS) {
          await yieldToEventLoop();
          ranSince = performance.now();
        }
        throwIfAborted(embedOptions.signal);
        const batch = texts.slice(start, start + batchSize).map((text) => (prefix ? prefix + text : text));
        const output = await extractor(batch, { pooling: 'mean', normalize: true });
        const dimension = output.dims[output.dims.length - 1]!;
        // Views onto the batch's own output (made for this call), not a copy per text: whoever
        // keeps a vector copies it (the indexes, the chunk rows), and a view is copied, never
        // moved, across the worker boundary (see worker/transfer.ts).
        for (let row = 0; row < batch.length; row++) {
          vectors.push(output.data.subarray(row * dimension, (row + 1) * dimension));
        }
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
