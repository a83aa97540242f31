/**
 * The memory worker: one Mneme engine per worker, driven through {@link WorkerApi}.
 * `expose` runs synchronously at load; the engine, the database and the models load on `open`.
 */
import * as Comlink from 'comlink';
import { MemoryError } from '../sdk/errors';
import type { MemoryClient } from '../sdk/client';
import type { MemoryClientOptions } from '../sdk/options';
import type { MemoryEventListener, ProgressCallback } from '../sdk/types';
import type { Embedder } from '../core/ports';
import {
  joinCallOptions,
  type MethodPath,
  type RemoteChatModel,
  type RemoteEmbedder,
  type WireOptions,
  type WorkerApi,
} from './protocol';
import { registerTransferHandlers, withTransfers } from './transfer';
import { createMemoryEngine } from './engine';

registerTransferHandlers();

let engine: MemoryClient | undefined;

const api: WorkerApi = {
  async open(
    wire: WireOptions,
    onEvent: MemoryEventListener,
    onProgress?: ProgressCallback,
    remoteEmbedder?: RemoteEmbedder,
    remoteChat?: RemoteChatModel,
  ) {
    if (engine) throw new MemoryError('INVALID_ARGUMENT', 'This worker is already open');
    const { embedder, chatModel, ...rest } = wire;
    const options: MemoryClientOptions = { ...rest };
    if (chatModel && remoteChat) {
      options.chatModel = {
        id: chatModel.id,
        generate: (messages, { signal: _signal, onToken: _onToken, ...generateOptions } = {}) =>
          remoteChat.generate(messages, generateOptions),
      };
    }
    if (onProgress) options.onProgress = onProgress;
    if (typeof embedder === 'object' && remoteEmbedder) options.embedder = hostEmbedder(embedder, remoteEmbedder);
    else if (embedder !== undefined && typeof embedder !== 'object') options.embedder = embedder;
    engine = await createMemoryEngine(options, 'worker');
    engine.subscribe(onEvent);
  },
  async invoke(path: MethodPath, args: unknown[], signal?: AbortSignal, onProgress?: ProgressCallback) {
    if (!engine) throw new MemoryError('CLOSED', 'The memory worker is not open');
    const [group, name] = path.split('.') as [string, string | undefined];
    const owner = (name ? (engine as unknown as Record<string, unknown>)[group] : engine) as Record<string, unknown>;
    const method = owner?.[name ?? group];
    if (typeof method !== 'function') throw new MemoryError('INVALID_ARGUMENT', `Unknown method ${path}`);
    const result: unknown = await method.apply(owner, joinCallOptions(args, signal, onProgress));
    return withTransfers(result);
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
