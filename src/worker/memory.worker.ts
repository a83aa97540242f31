/**
 * The memory worker: one Mneme engine per worker, driven through {@link WorkerApi}.
 * `expose` runs synchronously at load; the engine, the database and the models load on `open`.
 */
import * as Comlink from 'comlink';
import { MemoryError } from '../sdk/errors';
import type { MemoryClient } from '../sdk/client';
import type { MemoryClientOptions } from '../sdk/options';
import type { ChatModelInfo, MemoryEventListener, ProgressCallback } from '../sdk/types';
import type { ChatModel, Embedder } from '../core/ports';
import {
  type CallCallbacks,
  type MethodPath,
  type RemoteChatModel,
  type RemoteEmbedder,
  type WireOptions,
  type WorkerApi,
} from './protocol';
import { registerTransferHandlers, withTransfers } from './transfer';
import { createMemoryEngine, type EngineInternals } from './engine';
import { invokeMethod } from './invoke';

registerTransferHandlers();

let engine: MemoryClient | undefined;
let internals: EngineInternals = {};
let hostChat: RemoteChatModel | undefined;

const api: WorkerApi = {
  async open(
    wire: WireOptions,
    onEvent: MemoryEventListener,
    onProgress?: ProgressCallback,
    remoteEmbedder?: RemoteEmbedder,
    remoteChat?: RemoteChatModel,
  ) {
    if (engine) throw new MemoryError('INVALID_ARGUMENT', 'This worker is already open');
    const { embedder, ...rest } = wire;
    const options: MemoryClientOptions = { ...rest };
    hostChat = remoteChat;
    if (onProgress) options.onProgress = onProgress;
    if (typeof embedder === 'object' && remoteEmbedder) options.embedder = hostEmbedder(embedder, remoteEmbedder);
    else if (embedder !== undefined && typeof embedder !== 'object') options.embedder = embedder;
    internals = {};
    engine = await createMemoryEngine(options, 'worker', internals);
    engine.subscribe(onEvent);
  },
  async attachChat(info) {
    if (!internals.assistant || !hostChat) throw new MemoryError('CLOSED', 'The memory worker is not open');
    await internals.assistant.attach(info ? hostChatModel(info, hostChat) : undefined, info ?? undefined);
  },
  async invoke(path: MethodPath, args: unknown[], signal?: AbortSignal, callbacks?: CallCallbacks) {
    if (!engine) throw new MemoryError('CLOSED', 'The memory worker is not open');
    return withTransfers(await invokeMethod(engine, path, args, signal, callbacks));
  },
  async close() {
    await engine?.close();
  },
};

Comlink.expose(api);

function hostEmbedder(info: { id: string; dimension?: number }, remote: RemoteEmbedder): Embedder {
  return {
    id: info.id,
    ...(info.dimension !== undefined ? { dimension: info.dimension } : {}),
    embed: (texts, options = {}) => remote.embed(texts, options.kind ?? 'passage'),
  };
}

/** The host's chat model, called across the boundary with its signal and a token callback. */
function hostChatModel({ id, structuredOutput }: ChatModelInfo, remote: RemoteChatModel): ChatModel {
  return {
    id,
    ...(structuredOutput === false ? { structuredOutput } : {}),
    generate: (messages, { signal, onToken, ...options } = {}) =>
      remote.generate(messages, options, signal, onToken ? Comlink.proxy(onToken) : undefined),
  };
}
