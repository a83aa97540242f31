/**
 * The LLM worker: one chat model, WebLLM (WebGPU) or transformers.js (WASM), off the page's and the
 * memory worker's threads. `expose` runs synchronously at load; engines are imported on first use.
 */
import * as Comlink from 'comlink';
import type { LoadableChatModel } from '../models/chat-engine';
import { createLlmWorkerApi } from './llm-api';
import type { LlmSpec } from './llm-protocol';
import { registerTransferHandlers } from './transfer';

registerTransferHandlers();

async function engineModel(spec: LlmSpec): Promise<LoadableChatModel> {
  return spec.engine === 'webllm'
    ? (await import('../models/webllm-engine')).createWebLLMChat({
        model: spec.model,
        ...(spec.modelsBaseUrl ? { modelsBaseUrl: spec.modelsBaseUrl } : {}),
      })
    : (await import('../models/transformers-chat')).createTransformersChat({
        model: spec.model,
        ...(spec.dtype ? { dtype: spec.dtype } : {}),
        ...(spec.modelsBaseUrl ? { modelsBaseUrl: spec.modelsBaseUrl } : {}),
      });
}

Comlink.expose(createLlmWorkerApi(engineModel));
