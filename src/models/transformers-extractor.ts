/**
 * The feature-extraction pipeline of a {@link createTransformersEmbedder} embedder: transformers.js
 * with the app's settings (local models, device, pinned revisions). Loaded with the first
 * embedding, so opening a profile needs none of it.
 */
import type { ProgressCallback } from '../sdk/types';
import type { TransformersEmbedderOptions } from './transformers-embedder';
import { embedDevice, loadTransformers, modelError, progressReporter } from './transformers-env';
import { revisionOf } from './pins';

export type FeatureExtractor = (
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>;

export async function loadExtractor(
  options: TransformersEmbedderOptions,
  onProgress: ProgressCallback,
): Promise<FeatureExtractor> {
  try {
    const transformers = await loadTransformers(options.modelsBaseUrl);
    const load = (device: 'webgpu' | 'wasm' | 'cpu') =>
      transformers.pipeline('feature-extraction', options.model, {
        device,
        revision: revisionOf(options.model),
        progress_callback: progressReporter(options.model, onProgress),
      });
    const device = await embedDevice(options.device);
    const extractor = await load(device).catch((error: unknown) => {
      // A GPU that fails to run the model (driver, limits) falls back to the CPU path.
      if (device !== 'webgpu') throw error;
      return load('wasm');
    });
    return extractor as unknown as FeatureExtractor;
  } catch (error) {
    throw modelError(options.model, error);
  }
}
