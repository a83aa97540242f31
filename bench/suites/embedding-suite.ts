/**
 * Embedding suite: our embedding path (the SDK's transformers.js embedder, batches as the product
 * makes them) against a bare transformers.js pipeline on the same model, texts and batch size,
 * in the same page, taking turns. Target: our path ≥ 0.9 × the bare pipeline's texts per second.
 */
import { env, pipeline } from '@huggingface/transformers';
import { createTransformersEmbedder } from '../../src/models/transformers-embedder';
import { ortWasmPaths } from '../../src/models/ort-assets';
import { sentences } from '../data';

export interface EmbeddingResult {
  model: string;
  texts: number;
  batch: number;
  oursPerSecond: number;
  barePerSecond: number;
  ratio: number;
}

export async function runEmbeddingSuite(
  models: string[],
  count: number,
  batch: number,
  rounds: number,
): Promise<EmbeddingResult[]> {
  const texts = sentences(count, 11);
  const results: EmbeddingResult[] = [];
  for (const model of models) {
    const ours = createTransformersEmbedder({ model, modelsBaseUrl: '/models/', batchSize: batch });
    await ours.embed(['warm-up']);
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    env.localModelPath = '/models/';
    (env.backends.onnx as { wasm?: { wasmPaths?: unknown } }).wasm!.wasmPaths = ortWasmPaths;
    const bare = (await pipeline('feature-extraction', model, { device: 'wasm' })) as unknown as (
      texts: string[],
      options: { pooling: 'mean'; normalize: boolean },
    ) => Promise<unknown>;
    await bare(['warm-up'], { pooling: 'mean', normalize: true });
    let oursMs = 0;
    let bareMs = 0;
    for (let round = 0; round < rounds; round++) {
      let start = performance.now();
      await ours.embed(texts);
      oursMs += performance.now() - start;
      start = performance.now();
      for (let i = 0; i < texts.length; i += batch) await bare(texts.slice(i, i + batch), { pooling: 'mean', normalize: true });
      bareMs += performance.now() - start;
    }
    const oursPerSecond = (count * rounds) / (oursMs / 1000);
    const barePerSecond = (count * rounds) / (bareMs / 1000);
    results.push({ model, texts: count, batch, oursPerSecond, barePerSecond, ratio: oursPerSecond / barePerSecond });
    await ours.dispose?.();
  }
  return results;
}
