/**
 * Embedding suite: our embedding path (the SDK's transformers.js embedder, batches as the product
 * makes them) against a bare transformers.js pipeline on the same model, texts and batch size,
 * in the same page, taking turns. Target: our path ≥ 0.9 × the bare pipeline's texts per second.
 */
import { env, pipeline } from '@huggingface/transformers';
import { createTransformersEmbedder } from '../../src/models/transformers-embedder';
import { ortWasmPaths } from '../../src/models/ort-assets';
import { createMemoryClient } from '../../src/sdk/index';
import type { Embedder } from '../../src/core/ports';
import { sentences } from '../data';

export interface EmbeddingResult {
  model: string;
  texts: number;
  batch: number;
  oursPerSecond: number;
  barePerSecond: number;
  /**
   * Median over the rounds of each round's ours / bare speed (a round runs both once, in turn). A
   * collection or a slow core hits one side of one round; the median of rounds does not move with it.
   */
  ratio: number;
  /** The lowest and highest round's ratio. */
  ratioRange: [number, number];
  /** Searches sent every 20 ms while `addMany` embeds `texts` memories: ms from arrival to answer. */
  searchDuringIngest: { searches: number; p50Ms: number; maxMs: number };
}

/**
 * A search arriving while `addMany` embeds its texts (through the client, on this page's
 * IndexedDB): each search is due every 20 ms; its latency counts from when it was due, so the
 * time it waited for the embedding work to give way is in it (target: answered within 50 ms).
 */
async function searchDuringIngest(embedder: Embedder, texts: string[]): Promise<EmbeddingResult['searchDuringIngest']> {
  const profileId = `benchingest${Date.now()}`;
  const client = await createMemoryClient({ profileId, inWorker: false, embedder });
  await client.memories.add('a first memory, so search has something to rank');
  let done = false;
  const ingest = client.memories.addMany(texts.map((text) => ({ text }))).finally(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const due = performance.now() + 20;
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (done) break;
    await client.memories.search('coffee with my sister on a sunny morning');
    latencies.push(performance.now() - due);
  }
  await ingest;
  await client.close();
  indexedDB.deleteDatabase(`mneme-${profileId}`);
  latencies.sort((a, b) => a - b);
  const p50Ms = latencies[Math.floor((latencies.length - 1) / 2)] ?? NaN;
  return { searches: latencies.length, p50Ms, maxMs: latencies.at(-1) ?? NaN };
}

export interface BatchRow {
  model: string;
  batch: number;
  textsPerSecond: number;
}

/** Our path at several batch sizes on one model, taking turns round by round: the default batch size comes from this. */
export async function runBatchSweep(model: string, count: number, batches: number[], rounds: number): Promise<BatchRow[]> {
  const texts = sentences(count, 12);
  const embedders = batches.map((batch) => createTransformersEmbedder({ model, modelsBaseUrl: '/models/', batchSize: batch }));
  for (const embedder of embedders) await embedder.embed(['warm-up']);
  const ms = batches.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < batches.length; turn++) {
      const i = (round + turn) % batches.length;
      const start = performance.now();
      await embedders[i]!.embed(texts);
      ms[i]! += performance.now() - start;
    }
  }
  await Promise.all(embedders.map((embedder) => embedder.dispose?.()));
  return batches.map((batch, i) => ({ model, batch, textsPerSecond: (count * rounds) / (ms[i]! / 1000) }));
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
    const timed = async (work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      return performance.now() - start;
    };
    const runOurs = () => timed(() => ours.embed(texts));
    const runBare = () =>
      timed(async () => {
        for (let i = 0; i < texts.length; i += batch) await bare(texts.slice(i, i + batch), { pooling: 'mean', normalize: true });
      });
    // Each goes first in every other round: whoever runs first pays for a cold cache and the JIT.
    const oursMs: number[] = [];
    const bareMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        oursMs.push(await runOurs());
        bareMs.push(await runBare());
      } else {
        bareMs.push(await runBare());
        oursMs.push(await runOurs());
      }
    }
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const oursPerSecond = (count * rounds) / (sum(oursMs) / 1000);
    const barePerSecond = (count * rounds) / (sum(bareMs) / 1000);
    // Speed ratio of a round = bare time / our time.
    const ratios = oursMs.map((ms, round) => bareMs[round]! / ms).sort((a, b) => a - b);
    const middle = ratios.length >> 1;
    const ratio = ratios.length % 2 === 1 ? ratios[middle]! : (ratios[middle - 1]! + ratios[middle]!) / 2;
    const during = await searchDuringIngest(ours, texts);
    const ratioRange: [number, number] = [ratios[0]!, ratios.at(-1)!];
    results.push({ model, texts: count, batch, oursPerSecond, barePerSecond, ratio, ratioRange, searchDuringIngest: during });
    await ours.dispose?.();
  }
  return results;
}
