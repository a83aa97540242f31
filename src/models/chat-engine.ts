/**
 * What every chat engine offers beyond the {@link ChatModel} port: an explicit load with progress
 * (downloads can be large) and, for the UI, which engine it is and whether prompts leave the device.
 */
import type { ChatModel } from '../core/ports';
import type { ProgressCallback } from '../sdk/types';

export type ChatEngineName = 'webllm' | 'transformers' | 'openai';

export interface LoadableChatModel extends ChatModel {
  readonly engine: ChatEngineName;
  /** True when prompts are sent to another machine (the OpenAI-compatible adapter). */
  readonly remote?: boolean;
  /** Downloads (or finds in the browser cache) and initialises the model. `generate` loads on its own too. */
  load(onProgress?: ProgressCallback): Promise<void>;
}

/** A model the browser keeps in its cache, with the bytes it takes there. */
export interface CachedModel {
  id: string;
  engine: 'webllm' | 'transformers';
  bytes: number;
}
