/**
 * Storage suite, on the browser's real IndexedDB through the public client (in-process, so the
 * page measures the same code the worker runs): persist N memories with their vectors, cold
 * start (open + load every index), first search, bytes per memory, export and import.
 */
import { createMemoryClient } from '../../src/sdk/index';
import type { Embedder } from '../../src/core/ports';
import { sentences, unitVectors } from '../data';

export interface StorageResult {
  memories: number;
  dimension: number;
  vectorIndex: string;
  persistMs: number;
  /** Reopened in the same page right after persisting and closing (the heap and IndexedDB still busy with the writes). */
  coldStartMs: number;
  firstSearchMs: number;
  /** Opened in a new page of the same browser profile, as a user who comes back finds it (run.mjs fills these). */
  freshStartMs?: number;
  freshFirstSearchMs?: number;
  /** The profile kept for the fresh-page open (`keep`), which deletes it. */
  profileId?: string;
  bytesPerMemory: number | null;
  exportMs: number;
  exportBytes: number;
  importMs: number;
}

/** Vectors are given, so this embedder only answers queries (with a fixed vector). */
function queryOnlyEmbedder(dimension: number, vector: Float32Array): Embedder {
  return { id: 'bench/given-vectors', dimension, embed: async (texts) => texts.map(() => vector.slice()) };
}

export async function runStorageSuite(
  n: number,
  dimension: number,
  vectorIndex: 'flat' | 'int8' | 'voy',
  keep = false,
): Promise<StorageResult> {
  const texts = sentences(n, 5);
  const vectors = unitVectors(n, dimension, 6);
  const embedder = queryOnlyEmbedder(dimension, vectors[0]!);
  const profileId = `bench${Date.now()}`;
  const usageBefore = (await navigator.storage.estimate()).usage ?? 0;
  const options = { profileId, inWorker: false, embedder, vectorIndex } as const;

  let client = await createMemoryClient(options);
  let start = performance.now();
  await client.memories.addMany(texts.map((text, i) => ({ text, vector: vectors[i]! })));
  const persistMs = performance.now() - start;
  await client.close(); // writes the lexical snapshot

  start = performance.now();
  client = await createMemoryClient(options);
  const coldStartMs = performance.now() - start;
  start = performance.now();
  await client.memories.search('coffee with my sister on a sunny morning');
  const firstSearchMs = performance.now() - start;
  const usageAfter = (await navigator.storage.estimate()).usage ?? 0;

  start = performance.now();
  const exported = await client.data.export();
  const exportMs = performance.now() - start;
  const target = await createMemoryClient({ ...options, profileId: `${profileId}i` });
  start = performance.now();
  await target.data.import(exported);
  const importMs = performance.now() - start;
  await Promise.all([client.close(), target.close()]);
  for (const id of keep ? [`${profileId}i`] : [profileId, `${profileId}i`]) indexedDB.deleteDatabase(`mneme-${id}`);

  return {
    memories: n,
    dimension,
    vectorIndex,
    persistMs,
    coldStartMs,
    firstSearchMs,
    bytesPerMemory: usageAfter > usageBefore ? (usageAfter - usageBefore) / n : null,
    exportMs,
    exportBytes: exported.length,
    importMs,
    ...(keep ? { profileId } : {}),
  };
}

/**
 * Opens a profile {@link runStorageSuite} kept, in this page (a new one: nothing of the persist is in
 * its heap), searches once, then deletes the profile.
 */
export async function runFreshOpen(
  profileId: string,
  dimension: number,
  vectorIndex: 'flat' | 'int8' | 'voy',
): Promise<{ freshStartMs: number; freshFirstSearchMs: number }> {
  const embedder = queryOnlyEmbedder(dimension, unitVectors(1, dimension, 6)[0]!);
  // The engine's modules load once, on an empty profile: the bench's dev server serves them one by
  // one, where the built worker is one chunk, so their loading is not the profile's cold start.
  const warm = await createMemoryClient({ profileId: `${profileId}w`, inWorker: false, embedder, vectorIndex });
  await warm.close();
  indexedDB.deleteDatabase(`mneme-${profileId}w`);
  let start = performance.now();
  const client = await createMemoryClient({ profileId, inWorker: false, embedder, vectorIndex });
  const freshStartMs = performance.now() - start;
  start = performance.now();
  await client.memories.search('coffee with my sister on a sunny morning');
  const freshFirstSearchMs = performance.now() - start;
  await client.close();
  indexedDB.deleteDatabase(`mneme-${profileId}`);
  return { freshStartMs, freshFirstSearchMs };
}

/**
 * One phase of the suite alone, for a profiler (bench/profile-storage.mjs): `persist` adds n
 * memories to a fresh profile and closes it; `cold start` opens that profile and searches once.
 */
let phaseProfile: string | undefined;
export async function runStoragePhase(n: number, dimension: number, phase: 'persist' | 'cold start'): Promise<number> {
  const vectors = unitVectors(n, dimension, 6);
  const embedder = queryOnlyEmbedder(dimension, vectors[0]!);
  if (phase === 'persist') phaseProfile = `benchphase${Date.now()}`;
  const options = { profileId: phaseProfile!, inWorker: false, embedder, vectorIndex: 'int8' } as const;
  const texts = phase === 'persist' ? sentences(n, 5) : [];
  const start = performance.now();
  const client = await createMemoryClient(options);
  if (phase === 'persist') await client.memories.addMany(texts.map((text, i) => ({ text, vector: vectors[i]! })));
  else await client.memories.search('coffee with my sister on a sunny morning');
  const elapsed = performance.now() - start;
  await client.close();
  return elapsed;
}
