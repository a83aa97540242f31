/**
 * The LLM worker's API over one chat model at a time (src/worker/llm.worker.ts exposes it), made
 * from a factory of models so tests can run it over a real MessageChannel with a model of their own.
 */
import { MemoryError } from '../sdk/errors';
import type { LoadableChatModel } from '../models/chat-engine';
import type { LlmSpec, LlmWorkerApi } from './llm-protocol';
import { answerAfterDeliveries, Deliveries } from './deliveries';

/** Makes the model a spec names (not loaded yet). */
export type ChatModelFactory = (spec: LlmSpec) => Promise<LoadableChatModel>;

export function createLlmWorkerApi(makeModel: ChatModelFactory): LlmWorkerApi {
  let current: { key: string; model: LoadableChatModel } | undefined;

  async function modelFor(spec: LlmSpec): Promise<LoadableChatModel> {
    const key = JSON.stringify(spec);
    if (current?.key === key) return current.model;
    await current?.model.dispose?.().catch(() => undefined);
    current = undefined;
    const model = await makeModel(spec);
    current = { key, model };
    return model;
  }

  return {
    async load(spec, onProgress) {
      const model = await modelFor(spec);
      await model.load(onProgress);
    },
    async generate(messages, options, signal, onToken) {
      if (!current) throw new MemoryError('INVALID_ARGUMENT', 'No chat model is loaded in this worker');
      // Each token reaches the page on the callback's own channel: the reply waits until it has them all.
      const deliveries = new Deliveries();
      const model = current.model;
      return answerAfterDeliveries(deliveries, () =>
        model.generate(messages, {
          ...options,
          ...(signal ? { signal } : {}),
          ...(onToken ? { onToken: deliveries.track(onToken) } : {}),
        }),
      );
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
}
