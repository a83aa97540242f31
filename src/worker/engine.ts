/**
 * The composition root: wires storage, models and the memory core into one {@link MemoryClient}.
 * The worker exposes it over comlink; `createMemoryClient({ inWorker: false })` uses it directly.
 * It also owns the profile's lifecycle: open, locked (encrypted, no key) and closed.
 */
import { DEFAULT_RANKING, DEFAULTS, type MemoryClientOptions } from '../sdk/options';
import type { MemoryClient } from '../sdk/client';
import { MemoryError, toMemoryError } from '../sdk/errors';
import type { LongCallOptions, MemoryEvent, MemoryEventListener, MemoryStatus } from '../sdk/types';
import { lockedWrites, tellingWrites } from './locked-stores';
import { systemClock } from '../core/clock';
import { MemoryService } from '../core/semantic/memory-service';
import { createLazyAssistant, type LazyAssistant, type LazyAssistantDeps } from './lazy-assistant';
import { viewsApi } from './views-api';
import { lazyData, lazyMaintenance, lazyProfileViews, lazyRewriter, sweep, type ProfileViewsModule } from './lazy-paths';
import type { ProfileViews } from './profile-views';
import { databaseName } from '../storage/db';
import { createMemoryRepository } from '../storage/memory-repository';
import { checkProfileId, checkStorageName, openProfileRegistry } from '../storage/profiles';
import { createTabCoordinator, type TabMessage } from '../storage/tabs';
import { vectorIndexFactory } from '../storage/vector/index';
import { createLexicalIndex } from '../storage/lexical/minisearch-index';
import type { DataKey } from '../storage/crypto/cipher';
import { plainCodec, type RecordCodec } from '../storage/codec';
import { createProfilePlace } from './profile-place';
import { estimateStorage, requestPersistentStorage } from '../storage/quota';
import { createEncryptionControl, type LoadEncryptionChanges } from './encryption-control';
import { createEmbeddingControl } from './embedding-control';
import { createPrivacyControl } from './privacy-control';
import { createPreferences, settingsRows } from './profile-settings';
import { createLazySync, destroyProfileReplica, type EngineSyncDeps } from './lazy-sync';
import type { MemoryStore } from '../core/ports';

/** What the memory worker needs beyond the public client: to set the chat model the host loaded. */
export interface EngineInternals {
  assistant?: LazyAssistant;
  /** How the sync replica is made (Node tests: PouchDB's memory adapter). */
  syncReplica?: EngineSyncDeps['replica'];
  /** Load the code a first search does not need (tests count the loads or hold one back). */
  load?: {
    views?: () => Promise<ProfileViewsModule>;
    assistant?: LazyAssistantDeps['load'];
    encryption?: LoadEncryptionChanges;
  };
}

export async function createMemoryEngine(
  options: MemoryClientOptions = {},
  mode: MemoryStatus['mode'] = 'in-process',
  internals: EngineInternals = {},
): Promise<MemoryClient> {
  const profileId = checkProfileId(options.profileId ?? DEFAULTS.profileId);
  const storageName = checkStorageName(options.storageName ?? DEFAULTS.storageName);
  const dbName = databaseName(storageName, profileId);
  const registry = openProfileRegistry(storageName);
  /** The profile's database moves when the profile is rewritten (see storage/location.ts). */
  const place = createProfilePlace({
    registry,
    profileId,
    name: dbName,
    onVersionChange: () => {
      closed = 'Another tab opened this profile with a newer version of Mneme: reload this page';
      dropViews();
      emit({ type: 'reload-required', reason: closed });
    },
  });
  const embedding = createEmbeddingControl({
    options,
    emit: (event) => emit(event),
    service: () => service,
    reopen: () => open(openKey),
  });
  const listeners = new Set<MemoryEventListener>();
  const emit = (event: MemoryEvent) => listeners.forEach((listener) => listener(event));
  let service: MemoryService | undefined;
  /** Conversations, episodes and the profile: loaded by the first call that needs them (lazy-paths.ts). */
  let views: (() => Promise<ProfileViews>) | undefined;
  let memoryStore: MemoryStore | undefined;
  const sync = createLazySync({
    db: () => place.current(),
    codec: () => (service ? openCodec : undefined),
    dbName,
    memories: () => (service && memoryStore ? { service, store: memoryStore } : undefined),
    records: () => service && { codec: openCodec, lock: place.lockFor(tabs), privacy: privacy.api },
    merged: (ids) => {
      tabs.announce({ type: 'memories', ids, vectors: [] });
      emit({ type: 'memories-changed', ids, source: 'this-client' });
      embedding.reembed();
    },
    emit: (event) => emit(event),
    clock: systemClock,
    ...(internals.syncReplica ? { replica: internals.syncReplica } : {}),
  });
  const assistant = createLazyAssistant({
    initial: options.chatModel,
    modelsBaseUrl: options.modelsBaseUrl,
    emit: (event) => emit(event),
    views: () => unlocked(),
    memory: () => memoryOf(),
    clock: systemClock,
    outbox: options.outbox,
    ...(internals.load?.assistant ? { load: internals.load.assistant } : {}),
  });
  internals.assistant = assistant;
  /** Drops every decrypted view of the profile (lock, close, another tab's upgrade). */
  const dropViews = () => {
    privacy.forget();
    void assistant.stop();
    void sync.pause();
    service = undefined;
    views = undefined;
  };
  let closed: string | undefined;
  const onTabMessage = (message: TabMessage) => {
    if (message.type === 'reload') {
      if (service) void open(openKey).then(() => emit({ type: 'memories-changed', ids: [], source: 'other-tab' }));
    } else if (message.type === 'memories') {
      void service?.applyRemote(message.ids, message.vectors).then(
        () => emit({ type: 'memories-changed', ids: message.ids, source: 'other-tab' }),
        () => undefined,
      );
    } else {
      void encryption
        .follow(message)
        .then(() => message.type === 'relocated' && emit({ type: 'memories-changed', ids: [], source: 'other-tab' }))
        .catch(() => undefined);
    }
  };
  const tabs = createTabCoordinator(dbName, onTabMessage);
  /** Retention and decay run in the background (on open, on a new retention); nothing waits for them. */
  const sweepSoon = () => {
    const opened = service;
    const later = opened && sweep(opened, privacy.retention(), systemClock);
    void later?.catch(() => undefined);
  };
  const rows = () => (service ? settingsRows(place.current(), openCodec) : undefined);
  const privacy = createPrivacyControl(options, sweepSoon, () => sync.recordsChanged(['settings']), rows);
  const preferences = createPreferences(rows);
  const open = async (dataKey: DataKey | undefined) => {
    const codec = await codecOf(dataKey);
    openCodec = codec;
    const [db, writes] = [place.current(), tellingWrites(place.lockFor(tabs), () => sync.recordsChanged())];
    // The privacy settings are read beside the memories: opening them uses none (a write checks the rules).
    const settings = privacy.restore(settingsRows(db, codec));
    memoryStore = lockedWrites(createMemoryRepository(db, codec), writes);
    const opening = MemoryService.open({
      store: memoryStore,
      onCommitted: (ids, vectors) => {
        sync.committed(ids);
        tabs.announce({ type: 'memories', ids, vectors });
        emit({ type: 'memories-changed', ids, source: 'this-client' });
      },
      embedder: embedding.slot,
      createLexicalIndex,
      createVectorIndex: await vectorIndexFactory(options.vectorIndex ?? DEFAULTS.vectorIndex),
      clock: systemClock,
      ranking: { ...DEFAULT_RANKING, ...options.ranking },
      recencyHalfLifeDays: options.recencyHalfLifeDays ?? DEFAULTS.recencyHalfLifeDays,
      embedBatchSize: options.embedBatchSize ?? DEFAULTS.embedBatchSize,
      blockedBy: privacy.blockedBy,
    });
    [service] = await Promise.all([opening, settings]);
    views = lazyProfileViews({ db, codec, writes, memory: service, clock: systemClock, privacy }, internals.load?.views);
    assistant.open({ db, codec });
    // Memories without a vector from this model (imported, stored while it was down, or a switch
    // interrupted by a reload) are embedded in the background.
    embedding.reembed();
    sweepSoon();
    void sync.resume();
  };
  let openKey: DataKey | undefined;
  /** The codec of the open view: plain, or sealed under `openKey` (set by `open`, plain again on lock). */
  let openCodec: RecordCodec = plainCodec;
  const rewrite = lazyRewriter({
    relocation: place.relocation,
    tabs,
    db: place.current,
    install: place.install,
    emit: (e) => emit(e),
  });
  const encryption = createEncryptionControl(
    tabs,
    {
      db: place.current,
      rewrite,
      relocated: async () => void (await place.follow()),
      isOpen: () => service !== undefined,
      key: () => openKey,
      open: async (key) => {
        openKey = key;
        await open(key);
      },
      lock: () => {
        dropViews();
        openKey = undefined;
        openCodec = plainCodec;
      },
      changed: async () => emit({ type: 'encryption-changed', status: await encryption.status() }),
    },
    internals.load?.encryption,
  );
  const compact = async (compactOptions?: LongCallOptions) => {
    const done = await place.compact(rewrite, compactOptions);
    if (done && service) await open(openKey);
    return done;
  };
  /** After a bulk change: reload this view, tell other tabs to (unless they followed a move), re-embed what needs it. */
  const reopenEverywhere = async (ids: string[], moved = false) => {
    await open(openKey);
    sync.committed(ids);
    if (!moved) tabs.announce({ type: 'reload' });
    emit({ type: 'memories-changed', ids, source: 'this-client' });
    embedding.reembed();
  };
  const shared = { db: place.current, codec: () => openCodec, tabs, clock: systemClock, reload: reopenEverywhere };
  const data = lazyData({
    ...shared,
    profileId,
    rewrite,
    embedder: () => ({ modelId: embedding.slot.modelId, dimension: embedding.slot.dimension }),
  });
  const maintenance = lazyMaintenance({ ...shared, model: () => embedding.slot.modelId });
  try {
    await assistant.ready();
    await place.open(systemClock.now());
    const { enabled } = await encryption.status();
    const passphrase = options.encryption?.passphrase;
    if (!enabled) await open(undefined);
    if (enabled && passphrase !== undefined) await encryption.unlock(passphrase);
    if (!enabled && passphrase !== undefined) await encryption.enable(passphrase);
  } catch (error) {
    place.close();
    registry.close();
    tabs.close();
    throw toMemoryError(error, 'STORAGE_FAILED');
  }

  const guarded = <A extends unknown[], R>(fn: (...args: A) => Promise<R> | R) => {
    return async (...args: A): Promise<R> => {
      if (closed) throw new MemoryError(closed === CLOSED ? 'CLOSED' : 'RELOAD_REQUIRED', closed);
      try {
        return await fn(...args);
      } catch (error) {
        throw toMemoryError(error);
      }
    };
  };
  /** Every method of an API object, guarded. */
  const guardAll = <T extends object>(api: T): T =>
    Object.fromEntries(Object.entries(api).map(([name, fn]) => [name, guarded(fn as () => unknown)])) as T;
  const locked = () => new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it with its passphrase');
  const memoryOf = () => {
    if (!service) throw locked();
    return service;
  };
  /** Every view of the open profile; the ones a search does not use load with the first call that needs them. */
  const unlocked = async (): Promise<ProfileViews & { memory: MemoryService }> => {
    const [memory, more] = [memoryOf(), views];
    if (!more) throw locked();
    const made = await more();
    // Locked or reopened (another key, a rewrite) while they loaded: the views of the profile as it is now.
    return views === more ? { memory, ...made } : unlocked();
  };
  const live = <A extends unknown[], R>(fn: (memory: MemoryService, ...args: A) => Promise<R> | R) =>
    guarded((...args: A) => fn(memoryOf(), ...args));

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
      delete: live((memory, id) => memory.delete(id).finally(place.markCompactDue)),
      update: live((memory, id, patch) => memory.update(id, patch).finally(place.markCompactDue)),
      count: live((memory) => memory.size),
      history: live((memory, id) => memory.history(id)),
      audit: live((memory, limit) => memory.recentAudit(limit)),
      sweep: live((memory) => sweep(memory, privacy.retention(), systemClock)),
      restore: live((memory, id) => memory.setArchived(id, undefined, 'user')),
      remember: guarded((messages, rememberOptions) => assistant.remember(messages, rememberOptions)),
    },
    ...viewsApi({ guarded, unlocked, assistant, markCompactDue: place.markCompactDue }),
    chat: {
      send: guarded((sessionId, text, sendOptions) => assistant.chat.send(sessionId, text, sendOptions)),
      regenerate: guarded((sessionId, sendOptions) => assistant.chat.regenerate(sessionId, sendOptions)),
      useModel: guarded((model, useOptions) => assistant.chat.useModel(model, useOptions)),
      model: guarded(() => assistant.chat.model()),
    },
    outbox: {
      list: guarded((state) => assistant.outbox.list(state)),
      retry: guarded((id) => assistant.outbox.retry(id)),
      summary: guarded(() => assistant.outbox.summary()),
      drain: guarded(() => assistant.outbox.drain()),
    },
    encryption: {
      status: guarded(encryption.status),
      enable: guarded(encryption.enable),
      unlock: guarded(encryption.unlock),
      lock: guarded(encryption.lock),
      changePassphrase: guarded(encryption.changePassphrase),
      rotateKey: guarded(encryption.rotateKey),
      disable: guarded(encryption.disable),
    },
    profiles: {
      list: guarded(() => registry.list()),
      rename: guarded((id, name) => registry.rename(id, name)),
      delete: guarded(async (id, deleteOptions) => {
        if (id === profileId) throw new MemoryError('INVALID_ARGUMENT', 'A profile cannot delete itself while it is open');
        await registry.remove(id, deleteOptions); // its sync replica lives outside its database: it goes too
        await destroyProfileReplica(databaseName(storageName, id), internals.syncReplica);
      }),
    },
    data: {
      export: live((_memory, exportOptions) => data.export(exportOptions)),
      import: live((_memory, text, importOptions) => data.import(text, importOptions)),
      wipe: live(() => data.wipe()),
    },
    privacy: guardAll(privacy.api),
    preferences: guardAll(preferences),
    sync: guardAll(sync.api),
    storage: { estimate: guarded(estimateStorage), persist: guarded(requestPersistentStorage) },
    maintenance: {
      verify: live((memory, verifyOptions) => maintenance.verify(memory, verifyOptions)),
      compact: guarded(compact),
    },
    status: guarded(async () => ({
      profileId,
      mode,
      memories: service ? service.size : await place.current().memories.count(),
      encryption: await encryption.status(),
      retrieval: embedding.slot.usable && !embedding.reembedding() ? 'hybrid' : 'lexical',
      embedder: embedding.slot.status(),
      ...(embedding.reembedding() ? { reembedding: embedding.reembedding()! } : {}),
    })),
    useEmbedder: guarded((model, useOptions) => embedding.use(model, useOptions)),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    embed: guarded(embedding.embed),
    close: async () => {
      if (closed === CLOSED) return;
      closed = CLOSED;
      await assistant.dispose();
      await embedding.stop();
      await sync.close();
      await service?.checkpoint().catch(() => undefined);
      if (place.compactDue()) await compact().catch(() => undefined);
      dropViews();
      listeners.clear();
      place.close();
      registry.close();
      tabs.close();
    },
  };
}

const CLOSED = 'This memory client is closed';

/** The codec of a data key: the sealed codec (and the cipher) load with the first key, never for a plain profile. */
async function codecOf(key: DataKey | undefined): Promise<RecordCodec> {
  return key ? (await import('../storage/crypto/sealed-codec')).codecFor(key) : plainCodec;
}
