/**
 * The composition root: wires storage, models and the memory core into one {@link MemoryClient}.
 * The worker exposes it over comlink; `createMemoryClient({ inWorker: false })` uses it directly.
 */
import { DEFAULT_RANKING, DEFAULTS, type MemoryClientOptions } from '../sdk/options';
import type { MemoryClient } from '../sdk/client';
import { MemoryError, toMemoryError } from '../sdk/errors';
import type { MemoryStatus } from '../sdk/types';
import type { Embedder } from '../core/ports';
import { systemClock } from '../core/clock';
import { EmbedderSlot } from '../core/semantic/embedder-slot';
import { MemoryService } from '../core/semantic/memory-service';
import { checkText } from '../core/semantic/validate';
import { databaseName, openDatabase } from '../storage/db';
import { createMemoryRepository } from '../storage/memory-repository';
import { createFlatIndex } from '../storage/vector/flat-index';
import { createLexicalIndex } from '../storage/lexical/minisearch-index';
import { createTransformersEmbedder } from '../models/transformers-embedder';

export async function createMemoryEngine(
  options: MemoryClientOptions = {},
  mode: MemoryStatus['mode'] = 'in-process',
): Promise<MemoryClient> {
  const profileId = checkProfileId(options.profileId ?? DEFAULTS.profileId);
  const db = openDatabase(databaseName(options.storageName ?? DEFAULTS.storageName, profileId));
  const store = createMemoryRepository(db);
  const embedder = new EmbedderSlot(resolveEmbedder(options), options.onProgress);
  let service: MemoryService;
  try {
    await db.open();
    service = await MemoryService.open({
      store,
      embedder,
      lexical: createLexicalIndex(),
      createVectorIndex: (dimension) => createFlatIndex(dimension),
      clock: systemClock,
      ranking: { ...DEFAULT_RANKING, ...options.ranking },
      recencyHalfLifeDays: options.recencyHalfLifeDays ?? DEFAULTS.recencyHalfLifeDays,
      embedBatchSize: options.embedBatchSize ?? DEFAULTS.embedBatchSize,
    });
  } catch (error) {
    db.close();
    throw toMemoryError(error, 'STORAGE_FAILED');
  }

  let closed = false;
  const live = <A extends unknown[], R>(fn: (...args: A) => Promise<R> | R) => {
    return async (...args: A): Promise<R> => {
      if (closed) throw new MemoryError('CLOSED', 'This memory client is closed');
      try {
        return await fn(...args);
      } catch (error) {
        throw toMemoryError(error);
      }
    };
  };

  return {
    mode,
    memories: {
      add: live((text, addOptions = {}) => {
        const { signal, ...rest } = addOptions;
        return service.add({ ...rest, text }, signal);
      }),
      addMany: live((inputs, longOptions) => service.addMany(inputs, longOptions)),
      search: live((query, searchOptions) => service.search(query, searchOptions)),
      get: live((id) => service.get(id)),
      list: live((listOptions) => service.list(listOptions)),
      update: live((id, patch) => service.update(id, patch)),
      delete: live((id) => service.delete(id)),
      count: live(() => service.size),
    },
    status: live(() => ({
      profileId,
      mode,
      memories: service.size,
      retrieval: embedder.usable ? 'hybrid' : 'lexical',
      embedder: embedder.status(),
    })),
    embed: live((texts, embedOptions = {}) => {
      if (!Array.isArray(texts)) throw new MemoryError('INVALID_ARGUMENT', 'embed expects an array of texts');
      return embedder.embed(
        texts.map((text) => checkText(text)),
        embedOptions.kind ?? 'passage',
        embedOptions.signal,
      );
    }),
    close: async () => {
      if (closed) return;
      closed = true;
      await store.close();
    },
  };
}

function resolveEmbedder(options: MemoryClientOptions): Embedder | undefined {
  const choice = options.embedder ?? DEFAULTS.embedder;
  if (choice === false) return undefined;
  if (typeof choice !== 'string') return choice;
  return createTransformersEmbedder({
    model: choice,
    batchSize: options.embedBatchSize ?? DEFAULTS.embedBatchSize,
    ...(options.modelsBaseUrl ? { modelsBaseUrl: options.modelsBaseUrl } : {}),
  });
}

function checkProfileId(profileId: unknown): string {
  if (typeof profileId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(profileId)) {
    throw new MemoryError('INVALID_ARGUMENT', 'profileId must be 1-64 letters, digits, "-" or "_"');
  }
  return profileId;
}
