/**
 * The WebGPU chat engine: WebLLM's MLCEngine. Imported only by src/worker/llm.worker.ts, so its
 * 6 MB library never reaches the page or the memory worker. Tokens stream as WebLLM yields them;
 * an abort calls `interruptGenerate()` at once. Extraction prompts get WebLLM's JSON-schema
 * constrained decoding (`response_format`). Failures become typed `MemoryError`s here, never
 * strings across the worker.
 */
import {
  MLCEngine,
  deleteModelAllInfoInCache,
  hasModelInCache,
  prebuiltAppConfig,
  type AppConfig,
  type ChatCompletionMessageParam,
  type InitProgressReport,
} from '@mlc-ai/web-llm';
import { MemoryError, throwIfAborted, toMemoryError } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import type { ChatMessage, GenerateOptions } from '../core/ports';
import { detectCapabilities } from './capabilities';
import { CHAT_CATALOG, findChatModel } from './chat-catalog';
import type { CachedModel, LoadableChatModel } from './chat-engine';
import { cachedBytes } from './model-cache';
import { pinnedRecords } from './pins';

export interface WebLLMChatOptions {
  /** A WebLLM `model_id` (see src/models/chat-catalog.ts; any id of WebLLM's prebuilt list works). */
  model: string;
  /**
   * Where the MLC weights and libraries are, instead of the hub: weights at
   * `<base>/<model_id>/resolve/main/…`, the WebGPU library at `<base>/libs/<file>.wasm`.
   */
  modelsBaseUrl?: string;
}

export function webllmAppConfig(modelsBaseUrl?: string): AppConfig {
  // From the hub: each pinned model's weights come from its commit, with WebLLM's integrity checks.
  if (!modelsBaseUrl) return { ...prebuiltAppConfig, model_list: pinnedRecords(prebuiltAppConfig.model_list) };
  // WebLLM builds URLs with `new URL(…)`: a path like `/models/mlc` needs this origin in front.
  const base = new URL(modelsBaseUrl, globalThis.location?.href).href.replace(/\/+$/, '');
  return {
    ...prebuiltAppConfig,
    model_list: prebuiltAppConfig.model_list.map((record) => ({
      ...record,
      model: `${base}/${record.model_id}`,
      model_lib: `${base}/libs/${record.model_lib.split('/').pop()}`,
    })),
  };
}

export function createWebLLMChat(options: WebLLMChatOptions): LoadableChatModel {
  const appConfig = webllmAppConfig(options.modelsBaseUrl);
  let progress: ProgressCallback = () => undefined;
  let engine: MLCEngine | undefined;
  let loading: Promise<MLCEngine> | undefined;

  const load = (onProgress?: ProgressCallback) => {
    if (onProgress) progress = onProgress;
    loading ??= (async () => {
      progress({ phase: 'load', loaded: 0, total: 1000, text: 'Checking WebGPU on this device' });
      await checkDevice(options.model);
      progress({ phase: 'download', loaded: 0, total: 1000, text: `Fetching ${options.model}` });
      const created = new MLCEngine({
        appConfig,
        initProgressCallback: (report: InitProgressReport) => progress(toProgress(report)),
      });
      try {
        await created.reload(options.model);
      } catch (error) {
        await created.unload().catch(() => undefined);
        throw loadError(options.model, error);
      }
      progress({ phase: 'ready', loaded: 1, total: 1, text: options.model });
      engine = created;
      return created;
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    id: options.model,
    engine: 'webllm',
    load: async (onProgress) => void (await load(onProgress)),
    async generate(messages: ChatMessage[], generateOptions: GenerateOptions = {}) {
      const { signal, onToken } = generateOptions;
      throwIfAborted(signal);
      const mlc = await load();
      throwIfAborted(signal);
      const stop = () => mlc.interruptGenerate();
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const stream = await mlc.chat.completions.create({
          messages: messages as ChatCompletionMessageParam[],
          stream: true,
          ...(generateOptions.temperature !== undefined ? { temperature: generateOptions.temperature } : {}),
          ...(generateOptions.maxTokens !== undefined ? { max_tokens: generateOptions.maxTokens } : {}),
          ...(generateOptions.jsonSchema
            ? { response_format: { type: 'json_object' as const, schema: JSON.stringify(generateOptions.jsonSchema) } }
            : {}),
        });
        let text = '';
        for await (const chunk of stream) {
          const piece = chunk.choices[0]?.delta?.content ?? '';
          if (!piece) continue;
          text += piece;
          onToken?.(piece);
        }
        throwIfAborted(signal);
        return text;
      } catch (error) {
        throwIfAborted(signal);
        throw toMemoryError(error, 'MODEL_LOAD_FAILED');
      } finally {
        signal?.removeEventListener('abort', stop);
      }
    },
    async dispose() {
      loading = undefined;
      const current = engine;
      engine = undefined;
      await current?.unload();
    },
  };
}

/** Fails fast, with the reason in words, where WebLLM could only fail later or deep inside. */
async function checkDevice(model: string): Promise<void> {
  const capabilities = await detectCapabilities();
  if (!capabilities.gpu.available) {
    throw new MemoryError('WEBGPU_UNAVAILABLE', `WebGPU is not available: ${capabilities.gpu.reason}`, {
      details: { reason: capabilities.gpu.reason ?? 'unknown' },
    });
  }
  const entry = capabilities.chatModels.find((candidate) => candidate.id === model);
  if (entry && !entry.runnable) {
    throw new MemoryError('WEBGPU_UNAVAILABLE', `${entry.label} cannot run on this device: ${entry.reason}`, {
      // The plain reason is for people; `obstacle` names the technical cause (e.g. 'no-shader-f16').
      details: { reason: entry.reason ?? 'unknown', obstacle: entry.obstacle ?? 'unknown', model },
    });
  }
  if (!entry && !prebuiltAppConfig.model_list.some((record) => record.model_id === model)) {
    throw new MemoryError('MODEL_NOT_FOUND', `WebLLM has no model ${model}`, { details: { model } });
  }
}

function toProgress(report: InitProgressReport) {
  const fetching = /fetch|download|loading from cache|cache\[/i.test(report.text);
  return {
    phase: fetching ? ('download' as const) : ('load' as const),
    loaded: Math.round(report.progress * 1000),
    total: 1000,
    text: report.text,
  };
}

function loadError(model: string, error: unknown): MemoryError {
  const name = (error as { name?: string; constructor?: { name?: string } })?.constructor?.name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (/WebGPU|GPUDevice|adapter/i.test(name) || /WebGPU is not supported|No GPU adapter/i.test(message)) {
    return new MemoryError('WEBGPU_UNAVAILABLE', message, { cause: error, details: { model } });
  }
  if (/ShaderF16|FeatureSupport/i.test(name)) {
    return new MemoryError('WEBGPU_UNAVAILABLE', message, { cause: error, details: { model } });
  }
  // A download that fails inside WebLLM's Cache API `add` (a 404 or no network) says only "Request failed".
  if (/404|not found|Failed to fetch|NetworkError|Cannot find model|Request failed/i.test(message)) {
    return new MemoryError('MODEL_NOT_FOUND', `Chat model ${model} could not be downloaded: ${message}`, {
      cause: error,
      details: { model },
    });
  }
  return new MemoryError('MODEL_LOAD_FAILED', `Chat model ${model} failed to load: ${message}`, {
    cause: error,
    details: { model },
  });
}

/** The WebLLM models of the catalog this browser has cached, with their size in the Cache API. */
export async function cachedWebLLMModels(modelsBaseUrl?: string): Promise<CachedModel[]> {
  const appConfig = webllmAppConfig(modelsBaseUrl);
  const found: CachedModel[] = [];
  for (const entry of CHAT_CATALOG) {
    if (entry.engine !== 'webllm') continue;
    if (!(await hasModelInCache(entry.id, appConfig).catch(() => false))) continue;
    const record = appConfig.model_list.find((candidate) => candidate.model_id === entry.id);
    found.push({ id: entry.id, engine: 'webllm', bytes: record ? await cachedBytes(record.model) : 0 });
  }
  return found;
}

export async function deleteWebLLMModel(model: string, modelsBaseUrl?: string): Promise<void> {
  if (!findChatModel(model) && !prebuiltAppConfig.model_list.some((record) => record.model_id === model)) {
    throw new MemoryError('NOT_FOUND', `No WebLLM model ${model}`);
  }
  await deleteModelAllInfoInCache(model, webllmAppConfig(modelsBaseUrl));
}
