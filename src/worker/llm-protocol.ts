/**
 * The LLM worker's API (src/worker/llm.worker.ts), called by src/models/llm-client.ts. One model
 * per worker; the signal and the token callback are separate arguments so comlink can carry them
 * (the signal as a MessagePort, the callback as a proxy).
 */
import type { ChatMessage, GenerateOptions } from '../core/ports';
import type { ProgressCallback } from '../sdk/types';
import type { CachedModel } from '../models/chat-engine';

export interface LlmSpec {
  engine: 'webllm' | 'transformers';
  model: string;
  /** transformers.js weight type. */
  dtype?: string;
  /** Local models folder (URL prefix) instead of the hub. */
  modelsBaseUrl?: string;
}

export interface LlmWorkerApi {
  /** Chooses the model (replacing one loaded before) and loads it. */
  load(spec: LlmSpec, onProgress?: ProgressCallback): Promise<void>;
  generate(
    messages: ChatMessage[],
    options: Omit<GenerateOptions, 'signal' | 'onToken'>,
    signal?: AbortSignal,
    onToken?: (text: string) => void,
  ): Promise<string>;
  unload(): Promise<void>;
  /** Models of both engines in the browser's cache. */
  cached(modelsBaseUrl?: string): Promise<CachedModel[]>;
  /** Removes a model's files from the browser's cache. */
  deleteCached(id: string, modelsBaseUrl?: string): Promise<void>;
}
