/**
 * The LLM worker: one chat model, WebLLM (WebGPU) or transformers.js (WASM), off the page's and the
 * memory worker's threads. `expose` runs synchronously at load; engines are imported on first use.
 */
import * as Comlink from 'comlink';
import { MemoryError } from '../sdk/errors';
import type { LoadableChatModel } from '../models/chat-engine';
import type { LlmSpec, LlmWorkerApi } from './llm-protocol';
import { registerTransferHandlers } from './transfer';

registerTransferHandlers();

let current: { key: string; model: LoadableChatModel } | undefined;

async function modelFor(spec: LlmSpec): Promise<LoadableChatModel> {
  const key = JSON.stringify(spec);
  if (current?.key === key) return current.model;
  await current?.model.dispose?.().catch(() => undefined);
  current = undefined;
  const model =
    spec.engine === 'webllm'
      ? (await import('../models/webllm-engine')).createWebLLMChat({
          model: spec.model,
          ...(spec.modelsBaseUrl ? { modelsBaseUrl: spec.modelsBaseUrl } : {}),
        })
      : (await import('../models/transformers-chat')).createTransformersChat({
          model: spec.model,
          ...(spec.dtype ? { dtype: spec.dtype } : {}),
          ...(spec.modelsBaseUrl ? { modelsBaseUrl: spec.modelsBaseUrl } : {}),
        });
  current = { key, model };
  return model;
}

const api: LlmWorkerApi = {
  async load(spec, onProgress) {
    const model = await modelFor(spec);
    await model.load(onProgress);
  },
  async generate(messages, options, signal, onToken) {
    if (!current) throw new MemoryError('INVALID_ARGUMENT', 'No chat model is loaded in this worker');
    return current.model.generate(messages, {
      ...options,
      ...(signal ? { signal } : {}),
      ...(onToken ? { onToken: (text: string) => void onToken(text) } : {}),
    });
  },
  async unload() {
    const model = current?.model;
    current = undefined;
    await model?.dispose?.();
  },
  async cached(modelsBaseUrl) {
    const [{ cachedWebLLMModels }, { cachedTransformersModels }] = await Promise.all([
      import('../models/webllm-engine'),
      import('../models/model-cache'),
    ]);
    return [...(await cachedWebLLMModels(modelsBaseUrl)), ...(await cachedTransformersModels())];
  },
  async deleteCached(id, modelsBaseUrl) {
    const { findChatModel } = await import('../models/chat-catalog');
    if (findChatModel(id)?.engine === 'webllm') {
      const { deleteWebLLMModel } = await import('../models/webllm-engine');
      return deleteWebLLMModel(id, modelsBaseUrl);
    }
    const { deleteTransformersModel } = await import('../models/model-cache');
    return deleteTransformersModel(id);
  },
};

Comlink.expose(api);
