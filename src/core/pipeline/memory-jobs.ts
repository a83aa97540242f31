/**
 * The memory work that follows a reply, as outbox jobs (persisted first, run in batches in the
 * background, retried with backoff, resumed after a crash; see ./outbox.ts):
 * - `memory.extract`: the exchange's facts, with conflict resolution (semantic/facts.ts); with no
 *   chat model, what the user stated (not their questions) is stored as memories so retrieval works
 *   before any LLM;
 * - `profile.update`: the model's proposed profile patches (profile/profile-extraction.ts);
 * - `session.summary`: the sliding window's rolling summary (summary/rolling-summary.ts).
 * Payloads come from storage and are validated; handlers are safe to run twice on one payload
 * (facts and raw turns are deduplicated, profile patches are idempotent, the summary re-checks the window).
 */
import * as z from 'zod/mini';
import { MemoryError } from '../../sdk/errors';
import type { Turn } from '../../sdk/types';
import type { ChatMessage, ChatModel, Clock } from '../ports';
import type { MemoryService } from '../semantic/memory-service';
import type { Conversations } from '../working/conversations';
import type { ProfileService } from '../profile/profile-service';
import { FactWriter } from '../semantic/facts';
import { statementsOf } from '../semantic/statements';
import { proposeProfileUpdates } from '../profile/profile-extraction';
import { SUMMARY_DEFAULTS } from '../summary/rolling-summary';
import type { JsonValue, OutboxHandler } from './outbox-types';
import { MEMORY_JOBS, doesMemoryWork } from './memory-job-kinds';

export { MEMORY_JOBS, doesMemoryWork } from './memory-job-kinds';

export interface MemoryJobViews {
  memory: MemoryService;
  conversations: Conversations;
  profile: ProfileService;
}

export interface MemoryJobDeps {
  /** The profile's open views; rejects with `LOCKED` while an encrypted profile is locked (the job then waits). */
  views: () => Promise<MemoryJobViews>;
  /** The chat model in use now, if any. */
  chat: () => ChatModel | undefined;
  clock: Clock;
}

const exchangeSchema = z.strictObject({
  sessionId: z.string().check(z.minLength(1), z.maxLength(100)),
  turnIds: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1), z.maxLength(50)),
  /** Queued while a chat model answered: the job waits for one rather than end without its work. */
  needsModel: z.optional(z.boolean()),
});
const summarySchema = z.strictObject({
  sessionId: z.string().check(z.minLength(1), z.maxLength(100)),
  force: z.boolean(),
  needsModel: z.optional(z.boolean()),
});

/**
 * A job queued while a model answered finds none (the page was reloaded and the model is still
 * loading): it stays pending without using an attempt (see outbox-jobs.ts) until the model is back.
 */
function waitForModel(payloads: { needsModel?: boolean | undefined }[]): void {
  if (payloads.some((payload) => payload.needsModel)) {
    throw new MemoryError('NO_CHAT_MODEL', 'Waiting for the chat model to be loaded again');
  }
}

export type ExchangePayload = z.infer<typeof exchangeSchema>;

function parse<T extends z.ZodMiniType>(schema: T, payload: JsonValue): z.infer<T> {
  const parsed = z.safeParse(schema, payload);
  if (!parsed.success)
    throw new MemoryError('INVALID_ARGUMENT', `A stored memory job is malformed: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The turns of a payload that still exist (a deleted session or turn leaves nothing to do). */
async function exchangeTurns(conversations: Conversations, payload: ExchangePayload): Promise<Turn[]> {
  const session = await conversations.get(payload.sessionId).catch(() => undefined);
  if (!session) return [];
  const wanted = new Set(payload.turnIds);
  return (await conversations.turns(payload.sessionId, { includeArchived: true })).filter((turn) => wanted.has(turn.id));
}

const asMessages = (turns: Turn[]): ChatMessage[] => turns.map((turn) => ({ role: turn.role, content: turn.content }));
const lastUserTurn = (turns: Turn[]) => turns.filter((turn) => turn.role === 'user').at(-1);

/** Stores the user's turns of an exchange as `turn` memories (once: a turn already kept is skipped). */
async function keepOwnWords(memory: MemoryService, turns: Turn[], signal: AbortSignal): Promise<void> {
  const kept = new Set(
    memory
      .all()
      .map((item) => item.metadata.sourceTurnId)
      .filter((id): id is string => typeof id === 'string'),
  );
  // What the user stated, not what they asked: a question is not knowledge about them.
  const said = turns
    .filter((turn) => turn.role === 'user' && !kept.has(turn.id))
    .map((turn) => ({ turn, text: statementsOf(turn.content) }))
    .filter(({ text }) => text && memory.allowed(text));
  if (said.length === 0) return;
  await memory.addMany(
    said.map(({ turn, text }) => ({
      text,
      kind: 'turn' as const,
      metadata: { sourceTurnId: turn.id, ownWords: true, session: turn.sessionId },
    })),
    { signal },
  );
}

async function dropOwnWords(memory: MemoryService, turns: Turn[]): Promise<void> {
  const ids = new Set(turns.map((turn) => turn.id));
  const raw = memory
    .all()
    .filter((item) => item.kind === 'turn' && item.metadata.ownWords === true && ids.has(String(item.metadata.sourceTurnId)));
  for (const item of raw) await memory.delete(item.id, 'policy', 'replaced by the facts extracted from it');
}

export function memoryJobHandlers(deps: MemoryJobDeps): Record<string, OutboxHandler> {
  // A model that cannot follow a schema counts as none here: its answers could never be stored.
  const model = () => {
    const chat = deps.chat();
    return doesMemoryWork(chat) ? chat : undefined;
  };
  return {
    [MEMORY_JOBS.extract]: async (payloads, { signal }) => {
      const { memory, conversations } = await deps.views();
      const chat = model();
      const parsed = payloads.map((raw) => parse(exchangeSchema, raw));
      for (const payload of parsed) {
        const turns = await exchangeTurns(conversations, payload);
        if (turns.length === 0) continue;
        // The user's own words are kept at once, so nothing said is lost while facts are pending
        // (no model yet, a model that fails, or a job that waits for its retry).
        await keepOwnWords(memory, turns, signal);
        if (!chat) continue;
        const source = lastUserTurn(turns);
        await new FactWriter(memory, chat, deps.clock).remember(asMessages(turns), {
          signal,
          ...(source ? { sourceTurnId: source.id } : {}),
        });
        // The facts now stand for the exchange: its raw words leave long-term memory (the turns stay in the conversation).
        await dropOwnWords(memory, turns);
      }
      if (!chat) waitForModel(parsed);
    },
    [MEMORY_JOBS.profile]: async (payloads, { signal }) => {
      const chat = model();
      const parsed = payloads.map((raw) => parse(exchangeSchema, raw));
      // Profile proposals need a model; the user can still edit the profile.
      if (!chat) return waitForModel(parsed);
      const { conversations, profile } = await deps.views();
      for (const payload of parsed) {
        const turns = await exchangeTurns(conversations, payload);
        if (turns.length === 0) continue;
        const source = lastUserTurn(turns);
        await proposeProfileUpdates(chat, profile, asMessages(turns), { signal, ...(source ? { sourceTurnId: source.id } : {}) });
      }
    },
    [MEMORY_JOBS.summary]: async (payloads, { signal }) => {
      const chat = model();
      const parsed = payloads.map((raw) => parse(summarySchema, raw));
      // The window slides once a model is loaded (the next reply queues this again).
      if (!chat) return waitForModel(parsed);
      const { conversations } = await deps.views();
      const sessions = new Map<string, boolean>();
      for (const payload of parsed) {
        sessions.set(payload.sessionId, (sessions.get(payload.sessionId) ?? false) || payload.force);
      }
      for (const [sessionId, force] of sessions) {
        if (!(await conversations.get(sessionId).catch(() => undefined))) continue;
        // Forced when the recent turns no longer fit their token budget: summarise above one batch.
        await conversations.summarise(sessionId, chat, { signal, ...(force ? { threshold: SUMMARY_DEFAULTS.batch } : {}) });
      }
    },
  };
}
