/**
 * The whole message protocol between a client and the memory worker. A client method is named by
 * its path (`'memories.search'`); its AbortSignal and progress callback travel beside the
 * arguments (they cannot be cloned) and are put back into the options object inside the worker.
 */
import type { DataApi, EncryptionApi, EpisodesApi, MemoriesApi, ProfileApi, ProfilesApi, SessionsApi } from '../sdk/client';
import type { MemoryClientOptions } from '../sdk/options';
import type { ChatMessage, GenerateOptions } from '../core/ports';
import type { MemoryEventListener, ProgressCallback } from '../sdk/types';

export type MethodPath =
  | 'status'
  | 'embed'
  | `memories.${keyof MemoriesApi & string}`
  | `encryption.${keyof EncryptionApi & string}`
  | `profiles.${keyof ProfilesApi & string}`
  | `data.${keyof DataApi & string}`
  | `sessions.${keyof SessionsApi & string}`
  | `episodes.${keyof EpisodesApi & string}`
  | `profile.${keyof ProfileApi & string}`
  | 'context.build'
  | 'storage.estimate';

/** Options that can be cloned into the worker (functions and objects with methods stay behind). */
export type WireOptions = Omit<MemoryClientOptions, 'embedder' | 'chatModel' | 'onProgress' | 'workerUrl' | 'inWorker'> & {
  embedder?: string | false | { custom: true; id: string; dimension?: number };
  chatModel?: { custom: true; id: string };
};

/** A host chat model that stays in the calling thread (no streaming or abort across the boundary). */
export interface RemoteChatModel {
  generate(messages: ChatMessage[], options: Omit<GenerateOptions, 'signal' | 'onToken'>): Promise<string>;
}

/** A host embedder that stays in the calling thread; the worker calls it through comlink. */
export interface RemoteEmbedder {
  embed(texts: string[], kind: 'query' | 'passage'): Promise<Float32Array[]>;
}

export interface WorkerApi {
  open(
    options: WireOptions,
    onEvent: MemoryEventListener,
    onProgress?: ProgressCallback,
    embedder?: RemoteEmbedder,
    chatModel?: RemoteChatModel,
  ): Promise<void>;
  invoke(path: MethodPath, args: unknown[], signal?: AbortSignal, onProgress?: ProgressCallback): Promise<unknown>;
  close(): Promise<void>;
}

/** Splits the `signal` and `onProgress` out of a trailing options object. */
export function splitCallOptions(args: unknown[]): { args: unknown[]; signal?: AbortSignal; onProgress?: ProgressCallback } {
  const last = args[args.length - 1];
  if (typeof last !== 'object' || last === null || Array.isArray(last) || !('signal' in last || 'onProgress' in last)) {
    return { args };
  }
  const { signal, onProgress, ...rest } = last as { signal?: AbortSignal; onProgress?: ProgressCallback };
  const split: { args: unknown[]; signal?: AbortSignal; onProgress?: ProgressCallback } = { args: [...args.slice(0, -1), rest] };
  if (signal) split.signal = signal;
  if (onProgress) split.onProgress = onProgress;
  return split;
}

/** Puts them back, inside the worker. */
export function joinCallOptions(args: unknown[], signal?: AbortSignal, onProgress?: ProgressCallback): unknown[] {
  if (!signal && !onProgress) return args;
  const last = args[args.length - 1] as Record<string, unknown>;
  return [...args.slice(0, -1), { ...last, ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) }];
}
