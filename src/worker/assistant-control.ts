/**
 * The engine's assistant half: which chat model is in use, `chat.send`, and the outbox that runs
 * the memory work after replies. The outbox lives as long as the profile is open (it is reopened
 * with the profile's key after an unlock and stopped on lock or close).
 */
import type { ChatApi, OutboxApi } from '../sdk/client';
import { MemoryError } from '../sdk/errors';
import type { ChatModelSpec, MemoryClientOptions } from '../sdk/options';
import type { ChatModelInfo, MemoryEvent, RememberReport, Turn } from '../sdk/types';
import type { ChatMessage, ChatModel, Clock, Tokenizer } from '../core/ports';
import type { ContextViews } from '../core/context/assemble';
import type { AssistantDeps } from '../core/pipeline/assistant';
import { MEMORY_JOBS } from '../core/pipeline/memory-job-kinds';
import type { MemoryJobDeps } from '../core/pipeline/memory-jobs';
import { createOutbox, type Outbox } from '../core/pipeline/outbox';
import type { OutboxHandler, OutboxStore } from '../core/pipeline/outbox-types';
import type { LoadableChatModel } from '../models/chat-engine';
import { infoOf, isOwned, resolveChatModel } from '../models/chat-resolve';
import { statementsOf } from '../core/semantic/statements';
import { estimateTokenizer } from '../core/context/estimate-tokenizer';

export interface AssistantControlDeps {
  initial: ChatModel | ChatModelSpec | undefined;
  modelsBaseUrl: string | undefined;
  emit: (event: MemoryEvent) => void;
  /** The open profile's views (loaded on first use); rejects with `LOCKED` while it is locked. */
  views: () => Promise<ContextViews>;
  /** The open profile's memories; throws `LOCKED` while it is locked. */
  memory: () => ContextViews['memory'];
  clock: Clock;
  /** Counts a context's tokens. Default: the documented estimate (src/core/context/estimate-tokenizer.ts). */
  tokenizer?: Tokenizer;
  outbox: MemoryClientOptions['outbox'];
}

export interface AssistantControl {
  chat: ChatApi;
  outbox: OutboxApi;
  /** The chat model in use now. */
  model(): ChatModel | undefined;
  /** Resolves once the model given at creation is set (a spec is created, not yet loaded). */
  ready(): Promise<void>;
  /** Sets the model without loading it (worker mode: the host loaded it). */
  attach(model: ChatModel | undefined, info?: ChatModelInfo): void;
  /** Starts the outbox over the open profile's store. */
  open(store: OutboxStore): void;
  /** Stops the outbox (lock, close). Jobs in flight go back to pending. */
  stop(): Promise<void>;
  /** `memories.remember`: facts by the chat model, or what the user stated while there is none. */
  remember(messages: ChatMessage[], options?: { sourceTurnId?: string; signal?: AbortSignal }): Promise<RememberReport>;
  /** Queues the memory work of an exchange a host stored with `sessions.append`. */
  afterAppend(turn: Turn, sessionTurns: () => Promise<Turn[]>): Promise<void>;
  dispose(): Promise<void>;
}

export function createAssistantControl(deps: AssistantControlDeps): AssistantControl {
  let current: ChatModel | undefined;
  let info: ChatModelInfo | undefined;
  let outbox: Outbox | undefined;
  let pendingInitial: Promise<void> | undefined;

  const attach = (model: ChatModel | undefined, given?: ChatModelInfo) => {
    current = model;
    info = model ? (given ?? infoOf(model)) : undefined;
    deps.emit({ type: 'chat-model-changed', ...(info ? { model: info } : {}) });
  };
  if (deps.initial) pendingInitial = resolveChatModel(deps.initial, deps.modelsBaseUrl).then((model) => attach(model));
  const ready = async () => {
    await pendingInitial;
    return current;
  };
  const assistantDeps = async (): Promise<AssistantDeps> => {
    const chat = await ready();
    if (!chat) throw new MemoryError('NO_CHAT_MODEL', 'No chat model is set: choose one with chat.useModel');
    const box = requireOutbox();
    return {
      views: await deps.views(),
      chat,
      tokenizer: deps.tokenizer ?? estimateTokenizer,
      enqueue: (...args) => box.enqueue(...args),
    };
  };
  const requireOutbox = () => {
    if (!outbox) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it with its passphrase');
    return outbox;
  };

  return {
    model: () => current,
    ready: async () => void (await pendingInitial),
    attach,
    open(store) {
      void outbox?.stop();
      outbox = createOutbox({
        store,
        handlers: lazyJobHandlers({ views: deps.views, chat: () => current, clock: deps.clock }),
        clock: deps.clock,
        ...(deps.outbox?.maxAttempts !== undefined ? { maxAttempts: deps.outbox.maxAttempts } : {}),
        ...(deps.outbox?.batchSize !== undefined ? { batchSize: deps.outbox.batchSize } : {}),
        ...(deps.outbox?.backoff ? { backoff: deps.outbox.backoff } : {}),
        onChange: (summary) => deps.emit({ type: 'outbox-changed', summary }),
        onError: (error) => console.warn('[mneme] memory jobs:', error.message),
      });
      void outbox.start().catch((error: unknown) => console.warn('[mneme] memory jobs did not start:', error));
    },
    async stop() {
      const running = outbox;
      outbox = undefined;
      await running?.stop();
    },
    async afterAppend(turn, sessionTurns) {
      if (turn.role !== 'assistant' || !outbox) return;
      // The exchange: the user's turns since the previous reply, and this reply.
      const turns = await sessionTurns();
      const at = turns.findIndex((candidate) => candidate.id === turn.id);
      let start = at;
      while (start > 0 && turns[start - 1]!.role !== 'assistant') start--;
      // A host that stores replies without a model here gets the no-model handling at once.
      const { queueMemoryWork } = await pipeline();
      await queueMemoryWork(outbox.enqueue, turn.sessionId, turns.slice(start, at + 1), { model: current });
    },
    chat: {
      send: async (sessionId, text, options = {}) =>
        (await pipeline()).processMessage(await assistantDeps(), sessionId, text, options),
      regenerate: async (sessionId, options = {}) =>
        (await pipeline()).regenerateReply(await assistantDeps(), sessionId, options),
      async useModel(value, options = {}) {
        await pendingInitial;
        const previous = current;
        if (value === null) {
          attach(undefined);
        } else {
          const model = await resolveChatModel(value, deps.modelsBaseUrl);
          const loadable = model as Partial<LoadableChatModel>;
          if (typeof loadable.load === 'function') await loadable.load(options.onProgress);
          if (options.signal?.aborted) {
            if (model !== previous && isOwned(model)) await model.dispose?.().catch(() => undefined);
            throw new MemoryError('ABORTED', 'The model change was cancelled');
          }
          attach(model);
        }
        if (previous && previous !== current && isOwned(previous)) await previous.dispose?.().catch(() => undefined);
        return info;
      },
      model: async () => {
        await pendingInitial;
        return info;
      },
    },
    outbox: {
      list: (state) => requireOutbox().list(state ? { state } : {}),
      retry: (id) => requireOutbox().retry(id),
      summary: () => requireOutbox().summary(),
      drain: () => requireOutbox().drain(),
    },
    async remember(messages, options = {}) {
      const memory = deps.memory();
      if (!Array.isArray(messages)) throw new MemoryError('INVALID_ARGUMENT', 'remember expects an array of messages');
      if (current) {
        const { FactWriter } = await import('../core/semantic/facts');
        return new FactWriter(memory, current, deps.clock).remember(messages, options);
      }
      // No model yet: what the user stated is the memory, found later by meaning and keywords
      // (their questions are not knowledge about them).
      const said = messages
        .filter((message) => message.role === 'user' && typeof message.content === 'string')
        .map((message) => statementsOf(message.content))
        .filter(Boolean);
      const added = await memory.addMany(said.map((text) => ({ text, kind: 'turn' as const })));
      return { added: added.map((item) => item.id), superseded: [], merged: [], skipped: 0 };
    },
    async dispose() {
      await this.stop();
      if (current && isOwned(current)) await current.dispose?.().catch(() => undefined);
    },
  };
}

/** The chat pipeline (context building, prompts) loads with the first message, not with the profile. */
const pipeline = () => import('../core/pipeline/assistant');

/**
 * The memory job handlers, loaded with the first job that runs: their prompts and schemas (zod) are
 * not needed to open a profile or search it. The outbox knows every kind from the start.
 */
function lazyJobHandlers(deps: MemoryJobDeps): Record<string, OutboxHandler> {
  let handlers: Promise<Record<string, OutboxHandler>> | undefined;
  const load = () => (handlers ??= import('../core/pipeline/memory-jobs').then((jobs) => jobs.memoryJobHandlers(deps)));
  const kinds = Object.values(MEMORY_JOBS);
  return Object.fromEntries(
    kinds.map((kind): [string, OutboxHandler] => [kind, async (payloads, context) => (await load())[kind]!(payloads, context)]),
  );
}
