/**
 * Working memory: sessions and their turns, persisted turn by turn before anything else happens
 * with a message, so a crash or a closed tab loses nothing that was said. What the user's "do not
 * remember" rules withhold is replaced by a marker before anything is stored: in turns, titles and
 * summaries (see archive/policies `redact`).
 */
import { MemoryError } from '../../sdk/errors';
import type { Session, SessionSummary, Turn } from '../../sdk/types';
import type { ChatModel, Clock, ConversationStore } from '../ports';
import { createId } from '../ids';
import { checkText } from '../semantic/validate';
import { stripInvisible } from '../invisible';
import type { SummaryOptions } from '../summary/rolling-summary';
import type { Redaction } from '../archive/policies';

/** Replaces what the "do not remember" rules withhold (the rules in force at the time of the call). */
export type Redactor = (text: string) => Redaction;
const keepAll: Redactor = (text) => ({ text, withheld: [] });

const ROLES: readonly Turn['role'][] = ['user', 'assistant', 'system'];
/** Length of a title made from the first message. */
const TITLE_LENGTH = 60;

export class Conversations {
  readonly #store: ConversationStore;
  readonly #clock: Clock;
  /** Strictly increasing write times, so "most recent first" never ties within a millisecond. */
  #last = -Infinity;
  readonly #rolling = new Map<string, Promise<SessionSummary | undefined>>();
  readonly #redact: Redactor;
  /** The store as summaries see it: a summary is redacted before it is written. */
  readonly #summaries: ConversationStore;

  constructor(store: ConversationStore, clock: Clock, redact: Redactor = keepAll) {
    this.#store = store;
    this.#clock = clock;
    this.#redact = redact;
    this.#summaries = {
      ...store,
      putSummary: (summary, ids) => store.putSummary({ ...summary, text: redact(summary.text).text }, ids),
    };
  }

  #now(): number {
    this.#last = Math.max(this.#clock.now(), this.#last + 0.001);
    return this.#last;
  }

  async create(title?: string): Promise<Session> {
    const now = this.#now();
    const session: Session = {
      id: createId(),
      title: title === undefined ? '' : this.#redact(checkTitle(title)).text,
      createdAt: now,
      updatedAt: now,
      turnCount: 0,
    };
    await this.#store.putSession(session);
    return session;
  }

  list(): Promise<Session[]> {
    return this.#store.listSessions();
  }

  get(id: string): Promise<Session | undefined> {
    return this.#store.getSession(id);
  }

  async rename(id: string, title: string): Promise<Session> {
    const session = { ...(await this.#require(id)), title: this.#redact(checkTitle(title)).text, updatedAt: this.#now() };
    await this.#store.putSession(session);
    return session;
  }

  delete(id: string): Promise<void> {
    return this.#store.deleteSession(id);
  }

  /**
   * Persists the turn (and the session's new count) and returns it as stored: with what the rules
   * withheld replaced by markers. An untitled session is named after its first user message.
   */
  async append(
    sessionId: string,
    input: { role: Turn['role']; content: string },
    /** What the assistant pipeline keeps with a reply (never taken from a host's input). */
    reply?: Pick<Turn, 'context' | 'stopped'>,
  ): Promise<Turn> {
    if (!ROLES.includes(input?.role)) throw new MemoryError('INVALID_ARGUMENT', `role must be one of ${ROLES.join(', ')}`);
    const { text: content } = this.#redact(checkText(input.content, 'content'));
    const session = await this.#require(sessionId);
    const now = Math.max(this.#now(), session.updatedAt + 0.001);
    const turn: Turn = { id: createId(), sessionId, role: input.role, content, createdAt: now, seq: session.turnCount };
    if (reply?.context) turn.context = reply.context;
    if (reply?.stopped) turn.stopped = true;
    const title = session.title || (input.role === 'user' ? titleFrom(content) : '');
    await this.#store.appendTurn(turn, { ...session, title, updatedAt: now, turnCount: session.turnCount + 1 });
    return turn;
  }

  /** Archives a turn of the working window (a reply being regenerated). */
  async archiveTurn(sessionId: string, turnId: string): Promise<void> {
    await this.#require(sessionId);
    await this.#store.archiveTurns([turnId], this.#now());
  }

  turns(sessionId: string, options: { includeArchived?: boolean } = {}): Promise<Turn[]> {
    return this.#store.turns(sessionId, { includeArchived: options.includeArchived ?? false });
  }

  summary(sessionId: string): Promise<SessionSummary | undefined> {
    return this.#store.summary(sessionId);
  }

  /**
   * Folds the oldest turns into the rolling summary when the window is full (see
   * summary/rolling-summary). One roll per session at a time: a second call waits for the first.
   */
  summarise(sessionId: string, chat: ChatModel, options: SummaryOptions = {}): Promise<SessionSummary | undefined> {
    const previous = this.#rolling.get(sessionId) ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        await this.#require(sessionId);
        // The summary prompt and its schema (zod) load with the first roll.
        const { rollSummary } = await import('../summary/rolling-summary');
        const rolled = await rollSummary(this.#summaries, chat, this.#clock, sessionId, options);
        return rolled && { ...rolled, text: this.#redact(rolled.text).text };
      });
    this.#rolling.set(sessionId, next);
    void next.finally(() => this.#rolling.get(sessionId) === next && this.#rolling.delete(sessionId)).catch(() => undefined);
    return next;
  }

  async #require(id: string): Promise<Session> {
    const session = await this.#store.getSession(id);
    if (!session) throw new MemoryError('NOT_FOUND', `No session with id ${id}`);
    return session;
  }
}

function checkTitle(title: unknown): string {
  if (typeof title !== 'string' || title.length > 200)
    throw new MemoryError('INVALID_ARGUMENT', 'title must be a string of at most 200 characters');
  return stripInvisible(title).trim();
}

function titleFrom(content: string): string {
  const line = content.split('\n')[0]!.trim();
  return line.length <= TITLE_LENGTH ? line : `${line.slice(0, TITLE_LENGTH - 1).trimEnd()}…`;
}
