/**
 * `mnemeMemory(client, options)`: Mneme as an AI SDK language-model middleware. Before each call it
 * recalls what Mneme knows that bears on the message being answered (`context.build`) and gives it to
 * the model as tagged data; after a finished turn it records the user's message and the whole reply
 * in a Mneme conversation, whose memory work (facts, profile, summary) runs in the background outbox
 * exactly as after a reply in the app. The model's output passes through unchanged, token by token,
 * and the abort signal reaches the model as given.
 */
import type { LanguageModelMiddleware } from 'ai';
import type { MemoryClient } from '../../sdk/client';
import type { MemoryKind } from '../../sdk/types';
import { MemoryError } from '../../sdk/errors';
import {
  assistantTextSince,
  finishedTurn,
  injectMemory,
  lastUserText,
  memoryBlock,
  type CallOptions,
  type FinishReason,
  type MemoryPlacement,
} from './prompt';
import { createRecorder } from './recorder';

/**
 * Per call, through `providerOptions: { mneme: { … } }` of `generateText` / `streamText`. JSON values
 * only, as provider options must be (a type, not an interface, so that it fits the AI SDK's `JSONObject`).
 */
export type MnemeCallOptions = {
  /**
   * The conversation the turn belongs to: a Mneme session id (`client.sessions.create()`), kept across
   * reloads, or any id of the host's, which gets a Mneme session of its own while this middleware lives.
   */
  conversationId?: string;
  /** `false`: no memory is recalled for this call. */
  recall?: boolean;
  /** `false`: this turn is not recorded (nothing is stored, nothing is learned from it). */
  remember?: boolean;
  /** Recall only memories of these kinds. */
  kinds?: MemoryKind[];
  /** Recall only memories valid at this instant (epoch milliseconds, e.g. `Date.parse('2026-03-01')`). */
  asOf?: number;
};

export interface MnemeMemoryOptions extends Omit<MnemeCallOptions, 'asOf'> {
  /** Where the recalled memory goes: into the user message being answered (default), or a system message. */
  placement?: MemoryPlacement;
  /** Tokens for the recalled memory; default Mneme's (1,500). */
  budget?: number;
  /** Memories retrieved before the budget is applied; default Mneme's (8). */
  limit?: number;
  /**
   * Told when recall or recording fails (a locked profile, a closed client). The model call goes on
   * without memory either way; default `console.warn`.
   */
  onError?: (error: unknown) => void;
  /** The middleware specification to declare: `v4` (`ai` 7, default) or `v3` (`ai` 6). */
  specificationVersion?: 'v3' | 'v4';
}

interface Turn {
  options: MnemeCallOptions;
  /** The user's message as the host sent it, before any memory was added. */
  user: string;
  /** The reply's text from the tool steps before this call. */
  earlier: string[];
}

interface ContentPart {
  type: string;
  text?: string;
}
interface StreamPart {
  type: string;
  delta?: string;
  finishReason?: FinishReason;
}

const KINDS: readonly MemoryKind[] = ['note', 'fact', 'turn', 'preference', 'summary', 'episode'];

/** `providerOptions.mneme`, checked: a misspelt option fails loudly rather than being ignored. */
function callOptions(value: unknown): MnemeCallOptions {
  if (value === undefined) return {};
  const fail = (what: string): never => {
    throw new MemoryError('INVALID_ARGUMENT', `providerOptions.mneme: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('expected an object');
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!['conversationId', 'recall', 'remember', 'kinds', 'asOf'].includes(key)) fail(`unknown option ${key}`);
  }
  const { conversationId, recall, remember, kinds, asOf } = given;
  if (conversationId !== undefined && (typeof conversationId !== 'string' || !conversationId))
    fail('conversationId must be a string');
  if (recall !== undefined && typeof recall !== 'boolean') fail('recall must be true or false');
  if (remember !== undefined && typeof remember !== 'boolean') fail('remember must be true or false');
  if (kinds !== undefined && !(Array.isArray(kinds) && kinds.every((kind) => KINDS.includes(kind as MemoryKind))))
    fail(`kinds must be a list of ${KINDS.join(', ')}`);
  if (asOf !== undefined && !(typeof asOf === 'number' && Number.isFinite(asOf))) fail('asOf must be epoch milliseconds');
  return given as MnemeCallOptions;
}

export function mnemeMemory(client: MemoryClient, options: MnemeMemoryOptions = {}): LanguageModelMiddleware {
  const { placement = 'user', onError = (error: unknown) => console.warn('[mneme] ai-sdk:', error) } = options;
  const recorder = createRecorder(client, options.conversationId);
  /** The turn behind each call's (transformed) parameters, for the recording after it. */
  const turns = new WeakMap<object, Turn>();
  /**
   * The last recall: the steps of one tool loop answer the same message and reuse it. A finished
   * turn ends it, so the same words in a later turn see what was learned meanwhile.
   */
  let last: { key: string; block: Promise<string> } | undefined;

  const recall = (query: string, call: MnemeCallOptions): Promise<string> => {
    const { asOf } = call;
    const kinds = call.kinds ?? options.kinds;
    const key = JSON.stringify([call.conversationId ?? options.conversationId, query, kinds, asOf]);
    if (last?.key !== key) {
      const block = client.context
        .build(query, {
          ...(options.budget !== undefined ? { budget: options.budget } : {}),
          ...(options.limit !== undefined ? { limit: options.limit } : {}),
          ...(kinds ? { kinds } : {}),
          ...(asOf !== undefined ? { asOf } : {}),
        })
        .then(memoryBlock);
      last = { key, block };
      block.catch(() => last?.block === block && (last = undefined));
    }
    return last.block;
  };

  const record = async (turn: Turn, text: string[]) => {
    last = undefined;
    const reply = [...turn.earlier, ...text].join('\n\n').trim();
    if (!turn.user || !reply || turn.options.remember === false) return;
    await recorder.record(turn.options.conversationId, turn.user, reply).catch(onError);
  };

  const middleware = {
    specificationVersion: options.specificationVersion ?? 'v4',

    async transformParams({ params }: { params: CallOptions }): Promise<CallOptions> {
      const { mneme, ...providerOptions } = params.providerOptions ?? {};
      const call = { ...options, ...callOptions(mneme) };
      const user = lastUserText(params.prompt);
      let prompt = params.prompt;
      // Memory is left out when the call is cancelled already: the model answers the abort at once.
      if (user && call.recall !== false && !params.abortSignal?.aborted) {
        const block = await recall(user, call).catch((error: unknown) => {
          onError(error);
          return '';
        });
        if (block) prompt = injectMemory(prompt, block, placement);
      }
      const next: CallOptions = { ...params, prompt };
      if (params.providerOptions) next.providerOptions = providerOptions;
      turns.set(next, { options: call, user, earlier: assistantTextSince(params.prompt) });
      return next;
    },

    async wrapGenerate({
      doGenerate,
      params,
    }: {
      doGenerate: () => PromiseLike<{ content: ContentPart[]; finishReason?: FinishReason }>;
      params: CallOptions;
    }) {
      const result = await doGenerate();
      const turn = turns.get(params);
      if (turn && finishedTurn(result.finishReason)) {
        const text = result.content.flatMap((part) => (part.type === 'text' && part.text ? [part.text] : []));
        await record(turn, [text.join('')]);
      }
      return result;
    },

    async wrapStream({
      doStream,
      params,
    }: {
      doStream: () => PromiseLike<{ stream: ReadableStream<StreamPart> }>;
      params: CallOptions;
    }) {
      const result = await doStream();
      const turn = turns.get(params);
      if (!turn) return result;
      let text = '';
      let finish: FinishReason | null = null;
      let failed = false;
      // Every part goes on as it came; the turn is recorded once the model has finished it.
      const watch = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === 'text-delta' && typeof part.delta === 'string') text += part.delta;
          else if (part.type === 'finish') finish = part.finishReason;
          else if (part.type === 'error') failed = true;
          controller.enqueue(part);
        },
        async flush() {
          if (finish !== null && !failed && finishedTurn(finish) && !params.abortSignal?.aborted) await record(turn, [text]);
        },
      });
      return { ...result, stream: result.stream.pipeThrough(watch) };
    },
  };
  // Typed by shape (./prompt.ts): the same object fits the host's `ai` version, 6 or 7.
  return middleware as unknown as LanguageModelMiddleware;
}
