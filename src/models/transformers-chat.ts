/**
 * The CPU chat engine: transformers.js text generation on WebAssembly (or Node's CPU), behind the
 * same {@link ChatModel} port as WebLLM. Text streams as it is decoded; an abort stops generation
 * at the next token. transformers.js cannot constrain output to a JSON schema, so the schema is
 * put into the system message and the answer is validated by the caller (one retry, then
 * `LLM_OUTPUT_INVALID`).
 */
import { MemoryError, throwIfAborted } from '../sdk/errors';
import type { ProgressCallback } from '../sdk/types';
import type { ChatMessage, GenerateOptions } from '../core/ports';
import { yieldToEventLoop } from '../core/yield';
import { findChatModel } from './chat-catalog';
import { CPU_DEVICE, loadTransformers, modelError, progressReporter, type Transformers } from './transformers-env';
import type { LoadableChatModel } from './chat-engine';
import { revisionOf } from './pins';

export interface TransformersChatOptions {
  /** Model id (`org/name`) on the hub or under `modelsBaseUrl`. */
  model: string;
  /** Weight type (`q4`, `q8`, `fp32`, …). Default: the catalog's, else the model's own default. */
  dtype?: string;
  /** Local models folder (Node path or URL prefix); when set, the hub is never contacted. */
  modelsBaseUrl?: string;
  /** Tokens generated when a call does not say. Default 512. */
  maxTokens?: number;
}

interface Generator {
  (messages: ChatMessage[], options: Record<string, unknown>): Promise<{ generated_text: string | ChatMessage[] }[]>;
  tokenizer: unknown;
  model: { forward: (inputs: unknown) => Promise<unknown> };
  dispose?: () => Promise<void>;
}

export function createTransformersChat(options: TransformersChatOptions): LoadableChatModel {
  const dtype = options.dtype ?? findChatModel(options.model)?.dtype;
  let loading: Promise<{ lib: Transformers; generator: Generator }> | undefined;
  let busy: Promise<unknown> = Promise.resolve();

  const load = (onProgress: ProgressCallback = () => undefined) => {
    loading ??= (async () => {
      try {
        const lib = await loadTransformers(options.modelsBaseUrl);
        const generator = (await lib.pipeline('text-generation', options.model, {
          device: CPU_DEVICE,
          revision: revisionOf(options.model),
          ...(dtype ? { dtype: dtype as 'q4' } : {}),
          progress_callback: progressReporter(options.model, onProgress),
        })) as unknown as Generator;
        yieldBetweenTokens(generator);
        return { lib, generator };
      } catch (error) {
        loading = undefined;
        throw modelError(options.model, error, 'Chat model');
      }
    })();
    return loading;
  };

  const generate = async (messages: ChatMessage[], generateOptions: GenerateOptions = {}): Promise<string> => {
    const { signal, onToken } = generateOptions;
    throwIfAborted(signal);
    const { lib, generator } = await load();
    throwIfAborted(signal);
    const stopper = new lib.InterruptableStoppingCriteria();
    const stop = () => stopper.interrupt();
    signal?.addEventListener('abort', stop, { once: true });
    let streamed = '';
    const streamer = new lib.TextStreamer(generator.tokenizer as never, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (text: string) => {
        if (!text || signal?.aborted) return;
        streamed += text;
        onToken?.(text);
      },
    });
    const temperature = generateOptions.temperature ?? 0.7;
    try {
      const output = await generator(withSchema(messages, generateOptions.jsonSchema), {
        max_new_tokens: generateOptions.maxTokens ?? options.maxTokens ?? 512,
        do_sample: temperature > 0,
        ...(temperature > 0 ? { temperature, top_p: 0.9 } : {}),
        streamer,
        stopping_criteria: stopper,
      });
      throwIfAborted(signal);
      const generated = output[0]?.generated_text;
      const reply = Array.isArray(generated) ? generated.at(-1)?.content : undefined;
      return (reply ?? streamed).trim();
    } catch (error) {
      throwIfAborted(signal);
      throw new MemoryError('MODEL_LOAD_FAILED', `Generation with ${options.model} failed: ${String(error)}`, {
        cause: error,
        details: { model: options.model },
      });
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  };

  return {
    id: options.model,
    engine: 'transformers',
    load: async (onProgress) => void (await load(onProgress)),
    // One generation at a time: the model's KV cache and the CPU are not shared between calls.
    generate: (messages, generateOptions) => {
      const run = busy.catch(() => undefined).then(() => generate(messages, generateOptions));
      busy = run;
      return run;
    },
    async dispose() {
      const loaded = await loading?.catch(() => undefined);
      loading = undefined;
      await loaded?.generator.dispose?.();
    },
  };
}

/**
 * Each generation step is an `await` on the model that settles without giving the event loop a
 * turn, so an abort message would wait until the whole answer was done. One macrotask yield per
 * token (about 0.1 ms) lets it through; the stopping criterion then ends generation at once.
 */
function yieldBetweenTokens(generator: Generator): void {
  const model = generator.model;
  const forward = model.forward.bind(model);
  model.forward = async (inputs) => {
    await yieldToEventLoop();
    return forward(inputs);
  };
}

/** The schema goes into the system message, for engines that cannot enforce it while decoding. */
function withSchema(messages: ChatMessage[], schema: Record<string, unknown> | undefined): ChatMessage[] {
  if (!schema) return messages;
  const rule = `Answer with JSON only, following this JSON schema: ${JSON.stringify(schema)}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system') return [{ role: 'system', content: `${first.content}\n\n${rule}` }, ...rest];
  return [{ role: 'system', content: rule }, ...messages];
}
