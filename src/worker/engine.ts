/**
 * The composition root: wires storage, models and the memory core into one {@link MemoryClient}.
 * The worker exposes it over comlink; `createMemoryClient({ inWorker: false })` uses it directly.
 * It also owns the profile's lifecycle: open, locked (encrypted, no key) and closed.
 */
import { DEFAULT_RANKING, DEFAULTS, type MemoryClientOptions } from '../sdk/options';
import type { EncryptionApi, MemoryClient } from '../sdk/client';
import { MemoryError, toMemoryError } from '../sdk/errors';
import type { MemoryStatus } from '../sdk/types';
import type { Embedder } from '../core/ports';
import { systemClock } from '../core/clock';
import { EmbedderSlot } from '../core/semantic/embedder-slot';
import { MemoryService } from '../core/semantic/memory-service';
import { checkText } from '../core/semantic/validate';
import { databaseName, openDatabase, type MnemeDatabase } from '../storage/db';
import { createMemoryRepository } from '../storage/memory-repository';
import { createFlatIndex } from '../storage/vector/flat-index';
import { createLexicalIndex } from '../storage/lexical/minisearch-index';
import { createEnvelope, openEnvelope, rewrapEnvelope } from '../storage/crypto/envelope';
import { codecFor, readEnvelope, reencodeProfile, writeEnvelope } from '../storage/crypto/profile-encryption';
import { createTransformersEmbedder } from '../models/transformers-embedder';

export async function createMemoryEngine(
  options: MemoryClientOptions = {},
  mode: MemoryStatus['mode'] = 'in-process',
): Promise<MemoryClient> {
  const profileId = checkProfileId(options.profileId ?? DEFAULTS.profileId);
  const db = openDatabase(databaseName(options.storageName ?? DEFAULTS.storageName, profileId));
  const embedder = new EmbedderSlot(resolveEmbedder(options), options.onProgress);
  let service: MemoryService | undefined;
  let closed = false;

  const open = async (dataKey: CryptoKey | undefined) => {
    service = await MemoryService.open({
      store: createMemoryRepository(db, codecFor(dataKey)),
      embedder,
      lexical: createLexicalIndex(),
      createVectorIndex: (dimension) => createFlatIndex(dimension),
      clock: systemClock,
      ranking: { ...DEFAULT_RANKING, ...options.ranking },
      recencyHalfLifeDays: options.recencyHalfLifeDays ?? DEFAULTS.recencyHalfLifeDays,
      embedBatchSize: options.embedBatchSize ?? DEFAULTS.embedBatchSize,
    });
  };
  const encryption = createEncryptionControl(db, {
    isOpen: () => service !== undefined,
    open,
    lock: () => {
      service = undefined;
    },
  });

  try {
    await db.open();
    const envelope = await readEnvelope(db);
    const passphrase = options.encryption?.passphrase;
    if (!envelope) await open(undefined);
    if (envelope && passphrase !== undefined) await encryption.unlock(passphrase);
    if (!envelope && passphrase !== undefined) await encryption.enable(passphrase);
  } catch (error) {
    db.close();
    throw toMemoryError(error, 'STORAGE_FAILED');
  }

  const guarded = <A extends unknown[], R>(fn: (...args: A) => Promise<R> | R) => {
    return async (...args: A): Promise<R> => {
      if (closed) throw new MemoryError('CLOSED', 'This memory client is closed');
      try {
        return await fn(...args);
      } catch (error) {
        throw toMemoryError(error);
      }
    };
  };
  const live = <A extends unknown[], R>(fn: (memory: MemoryService, ...args: A) => Promise<R> | R) =>
    guarded((...args: A) => {
      if (!service) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it with its passphrase');
      return fn(service, ...args);
    });

  return {
    mode,
    memories: {
      add: live((memory, text, addOptions = {}) => {
        const { signal, ...rest } = addOptions;
        return memory.add({ ...rest, text }, signal);
      }),
      addMany: live((memory, inputs, longOptions) => memory.addMany(inputs, longOptions)),
      search: live((memory, query, searchOptions) => memory.search(query, searchOptions)),
      get: live((memory, id) => memory.get(id)),
      list: live((memory, listOptions) => memory.list(listOptions)),
      update: live((memory, id, patch) => memory.update(id, patch)),
      delete: live((memory, id) => memory.delete(id)),
      count: live((memory) => memory.size),
    },
    encryption: {
      status: guarded(encryption.status),
      enable: guarded(encryption.enable),
      unlock: guarded(encryption.unlock),
      lock: guarded(encryption.lock),
      changePassphrase: guarded(encryption.changePassphrase),
      disable: guarded(encryption.disable),
    },
    status: guarded(async () => ({
      profileId,
      mode,
      memories: service ? service.size : await db.memories.count(),
      encryption: await encryption.status(),
      retrieval: embedder.usable ? 'hybrid' : 'lexical',
      embedder: embedder.status(),
    })),
    embed: guarded((texts, embedOptions = {}) => {
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
      service = undefined;
      db.close();
    },
  };
}

interface EncryptionHost {
  isOpen(): boolean;
  open(key: CryptoKey | undefined): Promise<void>;
  lock(): void;
}

function createEncryptionControl(db: MnemeDatabase, host: EncryptionHost): EncryptionApi {
  const enabled = async () => (await readEnvelope(db)) !== undefined;
  const requireEnvelope = async () => {
    const envelope = await readEnvelope(db);
    if (!envelope) throw new MemoryError('INVALID_ARGUMENT', 'This profile is not encrypted');
    return envelope;
  };
  return {
    status: async () => {
      const on = await enabled();
      return { enabled: on, locked: on && !host.isOpen() };
    },
    async enable(passphrase) {
      if (await enabled()) throw new MemoryError('INVALID_ARGUMENT', 'This profile is already encrypted');
      const { envelope, key } = await createEnvelope(passphrase);
      await reencodeProfile(db, codecFor(undefined), codecFor(key), envelope);
      await host.open(key);
    },
    async unlock(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      if (!host.isOpen()) await host.open(key);
    },
    async lock() {
      if (await enabled()) host.lock();
    },
    async changePassphrase(current, next) {
      await writeEnvelope(db, await rewrapEnvelope(await requireEnvelope(), current, next));
    },
    async disable(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      await reencodeProfile(db, codecFor(key), codecFor(undefined), undefined);
      await host.open(undefined);
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
