/**
 * One chat turn, end to end (GUIDE.md's walk): the user's message is persisted first (a crash
 * loses nothing), the context is assembled from every layer in parallel, the reply streams from
 * the chat model, the reply is persisted, and the memory work (fact extraction, profile update,
 * rolling summary) is queued in the outbox, to run after the reply without delaying it.
 */
import { MemoryError, isMemoryError } from '../../sdk/errors';
import type { ChatReply, SendOptions, Turn } from '../../sdk/types';
import type { ChatMessage, ChatModel, Tokenizer } from '../ports';
import { contextMessages } from '../../sdk/context-messages';
import { assembleContext, type ContextViews } from '../context/assemble';
import { MEMORY_JOBS, doesMemoryWork } from './memory-job-kinds';
import type { EnqueueOptions } from './outbox';
import type { JsonValue, OutboxJob } from './outbox-types';

export interface AssistantDeps {
  views: ContextViews;
  chat: ChatModel;
  tokenizer: Tokenizer;
  enqueue: (kind: string, payload: JsonValue, options?: EnqueueOptions) => Promise<OutboxJob>;
}

/** What a reply is followed by, given the chat model that answered it (none, for turns a host stored). */
export interface MemoryWorkOptions {
  /** The recent turns no longer fit their budget: the summary is forced. */
  overflow?: boolean;
  /** The chat model in use when the exchange was stored; undefined when there is none. */
  model?: ChatModel | undefined;
}

/**
 * The turns just stored and the memory work they call for, queued in the outbox. With a model
 * that follows schemas, facts, profile and summary wait for it (after a reload it may still be
 * loading). With no model, or one that cannot follow a schema (a story model), only the user's own
 * words are kept: work the model could never finish is not queued, so nothing fails or retries.
 */
export async function queueMemoryWork(
  enqueue: AssistantDeps['enqueue'],
  sessionId: string,
  turns: Turn[],
  options: MemoryWorkOptions = {},
): Promise<string[]> {
  const { model, overflow = false } = options;
  const waits = model ? { needsModel: true } : {};
  const exchange = { sessionId, turnIds: turns.map((turn) => turn.id), ...(doesMemoryWork(model) ? waits : {}) };
  if (model && !doesMemoryWork(model)) return [(await enqueue(MEMORY_JOBS.extract, exchange)).id];
  const jobs = await Promise.all([
    enqueue(MEMORY_JOBS.extract, exchange),
    enqueue(MEMORY_JOBS.profile, exchange),
    enqueue(MEMORY_JOBS.summary, { sessionId, force: overflow, ...waits }, { dedupeKey: `summary:${sessionId}:${overflow}` }),
  ]);
  return jobs.map((job) => job.id);
}

export async function processMessage(
  deps: AssistantDeps,
  sessionId: string,
  text: string,
  options: SendOptions = {},
): Promise<ChatReply> {
  const userTurn = await deps.views.conversations.append(sessionId, { role: 'user', content: text });
  return answer(deps, sessionId, userTurn, options);
}

/**
 * A new reply to the session's last message: the previous reply moves to the archive (still
 * readable there), the context is assembled afresh, and the new reply takes its place.
 */
export async function regenerateReply(deps: AssistantDeps, sessionId: string, options: SendOptions = {}): Promise<ChatReply> {
  const turns = await deps.views.conversations.turns(sessionId);
  const last = turns.at(-1);
  const userTurn = last?.role === 'assistant' ? turns.at(-2) : last;
  if (!userTurn || userTurn.role !== 'user')
    throw new MemoryError('INVALID_ARGUMENT', 'This session has no message to answer again');
  if (last?.role === 'assistant') await deps.views.conversations.archiveTurn(sessionId, last.id);
  return answer(deps, sessionId, userTurn, options);
}

async function answer(deps: AssistantDeps, sessionId: string, userTurn: Turn, options: SendOptions): Promise<ChatReply> {
  const { views } = deps;
  const context = await assembleContext(
    views,
    userTurn.content,
    { ...options, sessionId, excludeTurnIds: [userTurn.id] },
    deps.tokenizer,
  );
  // The system message holds instructions only; memory and the message being answered go in the
  // user message, in their escaped sections (see ../../sdk/context-messages.ts for why).
  const messages: ChatMessage[] = contextMessages(context);
  let streamed = '';
  let stopped = false;
  let reply: string;
  try {
    reply = await deps.chat.generate(messages, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      temperature: options.temperature ?? 0.7,
      onToken: (piece) => {
        streamed += piece;
        options.onToken?.(piece);
      },
    });
  } catch (error) {
    if (!isMemoryError(error, 'ABORTED') && !options.signal?.aborted) throw error;
    // Stopped by the user: what was already shown is kept as the reply, marked as cut short.
    stopped = true;
    reply = streamed;
  }
  reply = reply.trim();
  if (!reply) {
    if (stopped) return { userTurn, context, stopped, jobs: [] };
    throw new MemoryError('LLM_OUTPUT_INVALID', 'The chat model returned an empty reply');
  }
  // The reply keeps the context it was made from: the inspector shows it after a reload too.
  const assistantTurn = await views.conversations.append(
    sessionId,
    { role: 'assistant', content: reply },
    stopped ? { context, stopped } : { context },
  );
  const jobs = await queueMemoryWork(deps.enqueue, sessionId, [userTurn, assistantTurn], {
    overflow: context.overflow,
    model: deps.chat,
  });
  return { userTurn, reply: assistantTurn, context, stopped, jobs };
}
