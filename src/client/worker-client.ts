/** The {@link MemoryClient} that runs the SDK inside a dedicated Worker through comlink. */
import * as Comlink from 'comlink';
import type {
  DataApi,
  EncryptionApi,
  EpisodesApi,
  MemoryClient,
  MemoriesApi,
  ProfileApi,
  ProfilesApi,
  SessionsApi,
} from '../sdk/client';
import type { ChatModelSpec, MemoryClientOptions } from '../sdk/options';
import { MemoryError } from '../sdk/errors';
import type { ChatModelInfo, EmbedderStatus, MemoryEvent, MemoryEventListener } from '../sdk/types';
import type { MethodPath, RemoteChatModel, RemoteEmbedder, WireOptions, WorkerApi } from '../worker/protocol';
import type { ChatMessage, ChatModel, GenerateOptions } from '../core/ports';
import type { LoadableChatModel } from '../models/chat-engine';
import { infoOf, isOwned, resolveChatModel } from '../models/chat-resolve';
import { splitCallOptions } from '../worker/protocol';
import { registerTransferHandlers, withTransfers } from '../worker/transfer';
import { answerAfterDeliveries, Deliveries } from '../worker/deliveries';
import { requestPersistentStorage } from '../storage/quota';

export async function createWorkerClient(options: MemoryClientOptions): Promise<MemoryClient> {
  registerTransferHandlers();
  const worker = startWorker(options.workerUrl);
  const remote = Comlink.wrap<WorkerApi>(worker);
  let failure: MemoryError | undefined;
  const died = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      failure = new MemoryError('WORKER_FAILED', `The memory worker failed: ${event.message || 'script error'}`);
      reject(failure);
    });
  });
  died.catch(() => undefined);

  const { embedder, chatModel, onProgress, workerUrl: _url, inWorker: _inWorker, ...rest } = options;
  const wire: WireOptions = { ...rest };
  let remoteEmbedder: RemoteEmbedder | undefined;
  if (typeof embedder === 'object') {
    wire.embedder = {
      custom: true,
      id: embedder.id,
      ...(embedder.dimension !== undefined ? { dimension: embedder.dimension } : {}),
    };
    remoteEmbedder = Comlink.proxy({ embed: (texts: string[], kind: 'query' | 'passage') => embedder.embed(texts, { kind }) });
  } else if (embedder !== undefined) {
    wire.embedder = embedder;
  }
  // The chat model lives in this thread (a host's own, or one that talks to the LLM worker); the
  // memory worker reaches whichever is current through one proxy.
  let chat: ChatModel | undefined;
  let chatInfo: ChatModelInfo | undefined;
  const remoteChat: RemoteChatModel = Comlink.proxy({
    generate: (
      messages: ChatMessage[],
      generateOptions: GenerateOptions,
      signal?: AbortSignal,
      onToken?: (text: string) => void,
    ) => {
      if (!chat) throw new MemoryError('NO_CHAT_MODEL', 'No chat model is set');
      // The tokens reach the worker on the callback's own channel: the reply waits until they all did.
      const deliveries = new Deliveries();
      const model = chat;
      return answerAfterDeliveries(deliveries, () =>
        model.generate(messages, {
          ...generateOptions,
          ...(signal ? { signal } : {}),
          ...(onToken ? { onToken: deliveries.track(onToken) } : {}),
        }),
      );
    },
  });

  const listeners = new Set<MemoryEventListener>();
  const onEvent = Comlink.proxy((event: MemoryEvent) => listeners.forEach((listener) => listener(event)));
  try {
    await Promise.race([remote.open(wire, onEvent, onProgress && Comlink.proxy(onProgress), remoteEmbedder, remoteChat), died]);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  const setChat = async (model: ChatModel | undefined) => {
    const previous = chat;
    chat = model;
    chatInfo = model ? infoOf(model) : undefined;
    await remote.attachChat(chatInfo ?? null);
    if (previous && previous !== model && isOwned(previous)) await previous.dispose?.().catch(() => undefined);
  };
  const resolveOwned = (value: ChatModel | ChatModelSpec) => resolveChatModel(value, options.modelsBaseUrl);
  // A spec given at creation is set now but loads on first use: opening never waits for a download.
  if (chatModel) {
    try {
      await setChat(await resolveOwned(chatModel));
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }

  let closed = false;
  const call =
    <T>(path: MethodPath) =>
    async (...args: unknown[]): Promise<T> => {
      if (closed) throw new MemoryError('CLOSED', 'This memory client is closed');
      if (failure) throw failure;
      const split = splitCallOptions(args);
      const callbacks = split.callbacks && Comlink.proxy(split.callbacks);
      const payload = withTransfers(split.args);
      return (await Promise.race([remote.invoke(path, payload, split.signal, callbacks), died])) as T;
    };

  const memories: MemoriesApi = {
    add: call('memories.add'),
    addMany: call('memories.addMany'),
    search: call('memories.search'),
    get: call('memories.get'),
    list: call('memories.list'),
    update: call('memories.update'),
    delete: call('memories.delete'),
    count: call('memories.count'),
    history: call('memories.history'),
    audit: call('memories.audit'),
    remember: call('memories.remember'),
    sweep: call('memories.sweep'),
    restore: call('memories.restore'),
  };

  const encryption: EncryptionApi = {
    status: call('encryption.status'),
    enable: call('encryption.enable'),
    unlock: call('encryption.unlock'),
    lock: call('encryption.lock'),
    changePassphrase: call('encryption.changePassphrase'),
    rotateKey: call('encryption.rotateKey'),
    disable: call('encryption.disable'),
  };

  const profiles: ProfilesApi = {
    list: call('profiles.list'),
    rename: call('profiles.rename'),
    delete: call('profiles.delete'),
  };

  const sessions: SessionsApi = {
    create: call('sessions.create'),
    list: call('sessions.list'),
    get: call('sessions.get'),
    rename: call('sessions.rename'),
    delete: call('sessions.delete'),
    append: call('sessions.append'),
    turns: call('sessions.turns'),
    summary: call('sessions.summary'),
    summarise: call('sessions.summarise'),
  };

  const episodes: EpisodesApi = {
    startTask: call('episodes.startTask'),
    recordAction: call('episodes.recordAction'),
    completeTask: call('episodes.completeTask'),
    get: call('episodes.get'),
    list: call('episodes.list'),
    similar: call('episodes.similar'),
  };

  const profile: ProfileApi = {
    get: call('profile.get'),
    update: call('profile.update'),
    propose: call('profile.propose'),
    pin: call('profile.pin'),
    reject: call('profile.reject'),
    history: call('profile.history'),
  };

  const data: DataApi = {
    export: call('data.export'),
    import: call('data.import'),
    wipe: call('data.wipe'),
  };

  return {
    mode: 'worker',
    memories,
    sessions,
    episodes,
    profile,
    context: { build: call('context.build') },
    chat: {
      send: call('chat.send'),
      regenerate: call('chat.regenerate'),
      async useModel(value, useOptions = {}) {
        if (closed) throw new MemoryError('CLOSED', 'This memory client is closed');
        if (value === null) {
          await setChat(undefined);
          return undefined;
        }
        const model = await resolveOwned(value);
        const loadable = model as Partial<LoadableChatModel>;
        if (typeof loadable.load === 'function') await loadable.load(useOptions.onProgress);
        if (useOptions.signal?.aborted) {
          if (isOwned(model)) await model.dispose?.().catch(() => undefined);
          throw new MemoryError('ABORTED', 'The model change was cancelled');
        }
        await setChat(model);
        return chatInfo;
      },
      model: async () => chatInfo,
    },
    outbox: {
      list: call('outbox.list'),
      retry: call('outbox.retry'),
      summary: call('outbox.summary'),
      drain: call('outbox.drain'),
    },
    encryption,
    profiles,
    data,
    // persist() is a window-only API: it runs here, in the calling thread.
    storage: { estimate: call('storage.estimate'), persist: requestPersistentStorage },
    maintenance: { verify: call('maintenance.verify'), compact: call('maintenance.compact') },
    privacy: { get: call('privacy.get'), set: call('privacy.set') },
    preferences: { get: call('preferences.get'), set: call('preferences.set') },
    sync: {
      enable: call('sync.enable'),
      pairingCode: call('sync.pairingCode'),
      recoveryPhrase: call('sync.recoveryPhrase'),
      join: call('sync.join'),
      status: call('sync.status'),
      devices: call('sync.devices'),
      renameDevice: call('sync.renameDevice'),
      removeDevice: call('sync.removeDevice'),
      serverAccount: call('sync.serverAccount'),
      disable: call('sync.disable'),
    },
    status: call('status'),
    embed: call('embed'),
    useEmbedder: (model, useOptions) => {
      if (model !== false && typeof model !== 'string') {
        return Promise.reject(
          new MemoryError(
            'INVALID_ARGUMENT',
            'In worker mode pass an embedder by model id; an Embedder object goes in the options',
          ),
        );
      }
      return call<EmbedderStatus>('useEmbedder')(model, useOptions ?? {});
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (!failure) await remote.close();
        if (chat && isOwned(chat)) await chat.dispose?.().catch(() => undefined);
      } finally {
        remote[Comlink.releaseProxy]();
        worker.terminate();
      }
    },
  };
}

function startWorker(url: string | URL | undefined): Worker {
  try {
    if (url) return new Worker(url, { type: 'module', name: 'mneme-memory' });
    return new Worker(new URL('../worker/memory.worker.ts', import.meta.url), { type: 'module', name: 'mneme-memory' });
  } catch (error) {
    throw new MemoryError('WORKER_FAILED', 'The memory worker could not be started', { cause: error });
  }
}
