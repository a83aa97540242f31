/**
 * The browser's cache of model files, for the cache manager in settings: which models are kept,
 * how many bytes they take, and removing them. transformers.js keeps files in the Cache API under
 * `transformers-cache`, keyed by their hub URL (`…/<org>/<name>/resolve/<revision>/<file>`).
 */
import type { CachedModel } from './chat-engine';

const TRANSFORMERS_CACHE = 'transformers-cache';
const HUB_FILE = /\/([^/]+\/[^/]+)\/resolve\/[^/]+\//;

export async function cachedTransformersModels(): Promise<CachedModel[]> {
  if (typeof caches === 'undefined' || !(await caches.has(TRANSFORMERS_CACHE))) return [];
  const cache = await caches.open(TRANSFORMERS_CACHE);
  const sizes = new Map<string, number>();
  for (const request of await cache.keys()) {
    const id = HUB_FILE.exec(request.url)?.[1];
    if (!id) continue;
    sizes.set(id, (sizes.get(id) ?? 0) + (await responseBytes(await cache.match(request))));
  }
  return [...sizes].map(([id, bytes]) => ({ id, engine: 'transformers' as const, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export async function deleteTransformersModel(id: string): Promise<void> {
  if (typeof caches === 'undefined' || !(await caches.has(TRANSFORMERS_CACHE))) return;
  const cache = await caches.open(TRANSFORMERS_CACHE);
  for (const request of await cache.keys()) {
    if (HUB_FILE.exec(request.url)?.[1] === id) await cache.delete(request);
  }
}

/** Bytes the Cache API holds under URLs starting with `prefix`, over every cache of this origin. */
export async function cachedBytes(prefix: string): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  let total = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (request.url.startsWith(prefix)) total += await responseBytes(await cache.match(request));
    }
  }
  return total;
}

async function responseBytes(response: Response | undefined): Promise<number> {
  if (!response) return 0;
  const length = Number(response.headers.get('content-length'));
  return Number.isFinite(length) && length > 0 ? length : (await response.blob()).size;
}
