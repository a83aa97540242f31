/**
 * `createChatModel(spec)`: a {@link LoadableChatModel} for any engine, made in the host's thread.
 * WebLLM and the transformers.js CPU engine run in the LLM worker (src/worker/llm.worker.ts), so
 * generation never blocks the page or the memory worker; this object talks to it over comlink and
 * streams tokens back. The OpenAI-compatible adapter runs here (it is only `fetch`).
 */
import * as Comlink from 'comlink';
import { MemoryError, throwIfAborted } from '../sdk/errors';
import type { ChatModelSpec } from '../sdk/options';
import type { ProgressCallback } from '../sdk/types';
import type { LlmSpec, LlmWorkerApi } from '../worker/llm-protocol';
import { registerTransferHandlers } from '../worker/transfer';
import type { CachedModel, LoadableChatModel } from './chat-engine';
import { findChatModel, followsSchemas } from './chat-catalog';
import { createOpenAIChat } from './openai-chat';

export interface CreateChatModelOptions {
  /** Local models folder (URL prefix) instead of the hub, for both on-device engines. */
  modelsBaseUrl?: string;
  /** Run the on-device engine in a dedicated worker. Default: true where `Worker` exists (the CPU engine can run in-process). */
  inWorker?: boolean;
  /** URL of a bundled `llm.worker.js`, for hosts whose bundler cannot resolve the default. */
  workerUrl?: string | URL;
}

export function createChatModel(spec: ChatModelSpec, options: CreateChatModelOptions = {}): LoadableChatModel {
  if (!spec || typeof spec !== 'object') throw new MemoryError('INVALID_ARGUMENT', 'A chat model spec is an object');
  if (spec.engine === 'openai') return createOpenAIChat(spec);
  if (spec.engine !== 'webllm' && spec.engine !== 'transformers') {
    throw new MemoryError('INVALID_ARGUMENT', `Unknown chat engine ${String((spec as { engine?: unknown }).engine)}`);
  }
  if (typeof spec.model !== 'string' || spec.model.length === 0)
    throw new MemoryError('INVALID_ARGUMENT', 'A chat model needs a model id');
  const dtype = spec.engine === 'transformers' ? (spec.dtype ?? findChatModel(spec.model)?.dtype) : undefined;
  const llmSpec: LlmSpec = {
    engine: spec.engine,
    model: spec.model,
    ...(dtype ? { dtype } : {}),
    ...(options.modelsBaseUrl ? { modelsBaseUrl: options.modelsBaseUrl } : {}),
  };
  const inWorker = options.inWorker ?? typeof Worker !== 'undefined';
  if (!inWorker && spec.engine === 'webllm') throw new MemoryError('INVALID_ARGUMENT', 'WebLLM runs only in its worker');
  const model = inWorker ? workerChatModel(llmSpec, options.workerUrl) : inProcessTransformers(llmSpec);
  // The catalog knows models that cannot do the memory work (the story model): it is not given to them.
  return followsSchemas(spec.model) ? model : Object.assign(model, { structuredOutput: false });
}

function inProcessTransformers(spec: LlmSpec): LoadableChatModel {
  let model: Promise<LoadableChatModel> | undefined;
  const get = () =>
    (model ??= import('./transformers-chat').then(({ createTransformersChat }) =>
      createTransformersChat({
        model: spec.model,
        ...(spec.dtype ? { dtype: spec.dtype } : {}),
        ...(spec.modelsBaseUrl ? { modelsBaseUrl: spec.modelsBaseUrl } : {}),
      }),
    ));
  return {
    id: spec.model,
    engine: 'transformers',
    load: async (onProgress) => (await get()).load(onProgress),
    generate: async (messages, generateOptions) => (await get()).generate(messages, generateOptions),
    dispose: async () => (await model)?.dispose?.(),
  };
}

function workerChatModel(spec: LlmSpec, workerUrl: string | URL | undefined): LoadableChatModel {
  registerTransferHandlers();
  let worker: Worker | undefined;
  let remote: Comlink.Remote<LlmWorkerApi> | undefined;
  let loading: Promise<void> | undefined;
  let died: Promise<never> | undefined;
  let progress: ProgressCallback | undefined;

  const start = () => {
    if (remote) return remote;
    try {
      worker = workerUrl
        ? new Worker(workerUrl, { type: 'module', name: 'mneme-llm' })
        : new Worker(new URL('../worker/llm.worker.ts', import.meta.url), { type: 'module', name: 'mneme-llm' });
    } catch (error) {
      throw new MemoryError('WORKER_FAILED', 'The LLM worker could not be started', { cause: error });
    }
    died = new Promise<never>((_, reject) =>
      worker!.addEventListener('error', (event) => {
        event.preventDefault();
        reject(new MemoryError('WORKER_FAILED', `The LLM worker failed: ${event.message || 'script error'}`));
      }),
    );
    died.catch(() => undefined);
    remote = Comlink.wrap<LlmWorkerApi>(worker);
    return remote;
  };
  const guard = <T>(work: Promise<T>): Promise<T> => Promise.race([work, died!]);

  const load = (onProgress?: ProgressCallback) => {
    if (onProgress) progress = onProgress;
    loading ??= (async () => {
      const api = start();
      const report = Comlink.proxy((event: Parameters<ProgressCallback>[0]) => progress?.(event));
      await guard(api.load(spec, report));
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    id: spec.model,
    engine: spec.engine,
    load,
    async generate(messages, generateOptions = {}) {
      const { signal, onToken, ...rest } = generateOptions;
      throwIfAborted(signal);
      await load();
      const api = start();
      const tokens = onToken ? Comlink.proxy((text: string) => onToken(text)) : undefined;
      // The caller hears of an abort at once; the worker stops generating on the same signal.
      const aborted = new Promise<never>((_, reject) => {
        signal?.addEventListener('abort', () => reject(new MemoryError('ABORTED', 'Generation was stopped')), { once: true });
      });
      aborted.catch(() => undefined);
      return Promise.race([guard(api.generate(messages, rest, signal, tokens)), aborted]);
    },
    async dispose() {
      loading = undefined;
      const api = remote;
      remote = undefined;
      await api?.unload().catch(() => undefined);
      worker?.terminate();
      worker = undefined;
    },
  };
}

/** The chat and embedding models this browser keeps cached, with their size (runs in a short-lived LLM worker). */
export async function listCachedModels(options: CreateChatModelOptions = {}): Promise<CachedModel[]> {
  return withLlmWorker(options, (api) => api.cached(options.modelsBaseUrl));
}

/** Deletes a cached model's files. */
export async function deleteCachedModel(id: string, options: CreateChatModelOptions = {}): Promise<void> {
  return withLlmWorker(options, (api) => api.deleteCached(id, options.modelsBaseUrl));
}

async function withLlmWorker<T>(
  options: CreateChatModelOptions,
  work: (api: Comlink.Remote<LlmWorkerApi>) => Promise<T>,
): Promise<T> {
  registerTransferHandlers();
  const worker = options.workerUrl
    ? new Worker(options.workerUrl, { type: 'module', name: 'mneme-llm-cache' })
    : new Worker(new URL('../worker/llm.worker.ts', import.meta.url), { type: 'module', name: 'mneme-llm-cache' });
  try {
    return await work(Comlink.wrap<LlmWorkerApi>(worker));
  } finally {
    worker.terminate();
  }
}
