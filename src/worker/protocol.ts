/**
 * The whole message protocol between a client and the memory worker. A client method is named by
 * its path (`'memories.search'`); its AbortSignal and progress callback travel beside the
 * arguments (they cannot be cloned) and are put back into the options object inside the worker.
 */
import type {
  MaintenanceApi,
  DataApi,
  EncryptionApi,
  EpisodesApi,
  MemoriesApi,
  OutboxApi,
  ProfileApi,
  ProfilesApi,
  SessionsApi,
} from '../sdk/client';
import type { MemoryClientOptions } from '../sdk/options';
import type { SyncApi } from '../sdk/sync';
import type { ChatMessage, GenerateOptions } from '../core/ports';
import type { ChatModelInfo, MemoryEventListener, ProgressCallback } from '../sdk/types';

export type MethodPath =
  | 'status'
  | 'embed'
  | 'useEmbedder'
  | `memories.${keyof MemoriesApi & string}`
  | `encryption.${keyof EncryptionApi & string}`
  | `profiles.${keyof ProfilesApi & string}`
  | `data.${keyof DataApi & string}`
  | `sessions.${keyof SessionsApi & string}`
  | `episodes.${keyof EpisodesApi & string}`
  | `profile.${keyof ProfileApi & string}`
  | 'context.build'
  | 'privacy.get'
  | 'privacy.set'
  | `sync.${keyof SyncApi & string}`
  | 'preferences.get'
  | 'preferences.set'
  | 'chat.send'
  | 'chat.regenerate'
  | `outbox.${keyof OutboxApi & string}`
  | 'storage.estimate'
  | `maintenance.${keyof MaintenanceApi & string}`;

/** Options that can be cloned into the worker (functions and objects with methods stay behind). */
export type WireOptions = Omit<MemoryClientOptions, 'embedder' | 'chatModel' | 'onProgress' | 'workerUrl' | 'inWorker'> & {
  embedder?: string | false | { custom: true; id: string; dimension?: number };
};

/**
 * The chat model in use, which stays in the calling thread (it may itself talk to the LLM worker):
 * the memory worker calls it with the signal and a token callback as separate arguments.
 */
export interface RemoteChatModel {
  generate(
    messages: ChatMessage[],
    options: Omit<GenerateOptions, 'signal' | 'onToken'>,
    signal?: AbortSignal,
    onToken?: (text: string) => void,
  ): Promise<string>;
}

/** Callbacks of one call, which stay in the calling thread. */
export interface CallCallbacks {
  onProgress?: ProgressCallback;
  onToken?: (text: string) => void;
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
  invoke(path: MethodPath, args: unknown[], signal?: AbortSignal, callbacks?: CallCallbacks): Promise<unknown>;
  /** The host set a chat model (it lives in the host; `chatModel` above reaches it), or none. */
  attachChat(info: ChatModelInfo | null): Promise<void>;
  close(): Promise<void>;
}

/** Splits the `signal`, `onProgress` and `onToken` out of a trailing options object. */
export function splitCallOptions(args: unknown[]): { args: unknown[]; signal?: AbortSignal; callbacks?: CallCallbacks } {
  const last = args[args.length - 1];
  if (
    typeof last !== 'object' ||
    last === null ||
    Array.isArray(last) ||
    !('signal' in last || 'onProgress' in last || 'onToken' in last)
  ) {
    return { args };
  }
  const { signal, onProgress, onToken, ...rest } = last as { signal?: AbortSignal } & CallCallbacks;
  const split: { args: unknown[]; signal?: AbortSignal; callbacks?: CallCallbacks } = { args: [...args.slice(0, -1), rest] };
  if (signal) split.signal = signal;
  if (onProgress || onToken) split.callbacks = { ...(onProgress ? { onProgress } : {}), ...(onToken ? { onToken } : {}) };
  return split;
}

/** Puts them back, inside the worker. */
export function joinCallOptions(args: unknown[], signal?: AbortSignal, callbacks?: CallCallbacks): unknown[] {
  if (!signal && !callbacks?.onProgress && !callbacks?.onToken) return args;
  const last = args[args.length - 1] as Record<string, unknown>;
  return [
    ...args.slice(0, -1),
    {
      ...last,
      ...(signal ? { signal } : {}),
      ...(callbacks?.onProgress ? { onProgress: callbacks.onProgress } : {}),
      ...(callbacks?.onToken ? { onToken: callbacks.onToken } : {}),
    },
  ];
}
