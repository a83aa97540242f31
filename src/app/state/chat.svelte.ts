/**
 * Conversations: the list of sessions, the open one's turns, the reply being streamed, and the
 * context each reply was built from (for the inspector). The reply streams into `streaming`;
 * memory work after it runs in the background (the outbox) and never delays it.
 */
import type { ChatReply, ContextBundle, SearchResult, Session, SessionSummary, Turn } from '../../sdk/index';
import type { AppState } from './app.svelte';
import { excerpt } from './messages';
import { restorationFile } from './undo.svelte';

export interface Streaming {
  userText: string;
  text: string;
}

export class ChatState {
  readonly app: AppState;
  sessions = $state.raw<Session[]>([]);
  sessionId = $state<string | undefined>();
  turns = $state.raw<Turn[]>([]);
  streaming = $state.raw<Streaming | undefined>();
  /** The context and retrieved memories of replies made in this visit, by reply turn id. */
  contexts = $state.raw<Record<string, { context: ContextBundle; memories: SearchResult[]; stopped: boolean }>>({});
  busy = $state(false);
  /** The user turn whose reply was stopped before its first word (nothing was stored for it). */
  stoppedBefore = $state<string | undefined>();
  #abort: AbortController | undefined;

  constructor(app: AppState) {
    this.app = app;
    app.onLock(() => this.clearOnLock());
  }

  /** Drops every conversation read from the profile (it locked); a reply on its way is stopped. */
  clearOnLock(): void {
    this.stop();
    this.sessions = [];
    this.sessionId = undefined;
    this.turns = [];
    this.streaming = undefined;
    this.contexts = {};
    this.stoppedBefore = undefined;
  }

  /** What a stored reply was made from (kept with the turn), for the inspector after a reload. */
  stored(turn: Turn): { context: ContextBundle; memories: SearchResult[]; stopped: boolean } | undefined {
    if (turn.role !== 'assistant' || !turn.context) return undefined;
    return { context: turn.context, memories: turn.context.retrieved ?? [], stopped: turn.stopped ?? false };
  }

  get session(): Session | undefined {
    return this.sessions.find((session) => session.id === this.sessionId);
  }

  async loadSessions(): Promise<void> {
    const client = this.app.client;
    if (!client || this.app.locked) return;
    // A lock can land between the check and the call: the list simply waits for the unlock.
    this.sessions = await client.sessions.list().catch(() => this.sessions);
  }

  async open(sessionId: string | undefined): Promise<void> {
    const client = this.app.client;
    if (!client || this.app.locked) return;
    if (!sessionId || !this.sessions.some((session) => session.id === sessionId)) {
      this.sessionId = undefined;
      this.turns = [];
      return;
    }
    this.sessionId = sessionId;
    this.turns = await client.sessions.turns(sessionId);
  }

  async create(): Promise<Session | undefined> {
    const client = this.app.client;
    if (!client) return undefined;
    const session = await client.sessions.create();
    await this.loadSessions();
    return session;
  }

  async rename(id: string, title: string): Promise<void> {
    try {
      await this.app.client?.sessions.rename(id, title);
      await this.loadSessions();
    } catch (error) {
      this.app.fail('update', error);
    }
  }

  /** Deletes at once, then offers an undo that puts the conversation back with every turn. */
  async remove(id: string): Promise<void> {
    const client = this.app.client;
    if (!client) return;
    try {
      const session = this.sessions.find((candidate) => candidate.id === id) ?? (await client.sessions.get(id));
      const [turns, summary] = await Promise.all([
        client.sessions.turns(id, { includeArchived: true }),
        client.sessions.summary(id),
      ]);
      await client.sessions.delete(id);
      if (this.sessionId === id) await this.open(undefined);
      await this.loadSessions();
      this.app.say('Conversation deleted.');
      if (session) {
        const name = session.title ? `“${excerpt(session.title, 40)}”` : 'the conversation';
        this.app.undo.show(`Deleted ${name}.`, () => this.#putBack(session, turns, summary));
      }
    } catch (error) {
      this.app.fail('delete', error);
    }
  }

  async #putBack(session: Session, turns: Turn[], summary: SessionSummary | undefined): Promise<void> {
    try {
      const file = restorationFile(this.app.settings.data.profileId, { session, turns, summary });
      await this.app.client?.data.import(file);
      await this.loadSessions();
      this.app.say('Conversation restored.');
    } catch (error) {
      this.app.fail('update', error);
    }
  }

  /** Sends a message in the open session (creating one when none is open); resolves with the session id. */
  async send(text: string): Promise<string | undefined> {
    const client = this.app.client;
    const message = text.trim();
    if (!client || !message || this.busy) return undefined;
    let sessionId = this.sessionId;
    if (!sessionId) {
      const session = await this.create();
      if (!session) return undefined;
      sessionId = session.id;
      this.sessionId = sessionId;
      this.turns = [];
    }
    return this.#run(sessionId, message, (options) => client.chat.send(sessionId, message, options));
  }

  /** Answers the last message again. */
  async regenerate(): Promise<void> {
    const client = this.app.client;
    const sessionId = this.sessionId;
    if (!client || !sessionId || this.busy) return;
    const lastUser = [...this.turns].reverse().find((turn) => turn.role === 'user');
    this.turns = this.turns.at(-1)?.role === 'assistant' ? this.turns.slice(0, -1) : this.turns;
    await this.#run(sessionId, lastUser?.content ?? '', (options) => client.chat.regenerate(sessionId, options), true);
  }

  stop(): void {
    this.#abort?.abort();
  }

  async #run(
    sessionId: string,
    userText: string,
    call: (options: { onToken: (t: string) => void; signal: AbortSignal }) => Promise<ChatReply>,
    again = false,
  ): Promise<string> {
    const client = this.app.client!;
    const controller = new AbortController();
    this.#abort = controller;
    this.busy = true;
    this.streaming = { userText: again ? '' : userText, text: '' };
    try {
      const reply = await call({
        signal: controller.signal,
        // A token can arrive after the reply was stopped and cleared: it has nowhere to go.
        onToken: (piece) => {
          if (this.streaming) this.streaming = { ...this.streaming, text: this.streaming.text + piece };
        },
      });
      this.stoppedBefore = reply.reply ? undefined : reply.userTurn.id;
      if (reply.reply) {
        const memories = reply.context.retrieved ?? [];
        this.contexts = { ...this.contexts, [reply.reply.id]: { context: reply.context, memories, stopped: reply.stopped } };
      }
      this.app.say(reply.stopped ? 'Reply stopped.' : 'Reply ready.');
    } catch (error) {
      this.app.fail('chat', error);
    } finally {
      this.busy = false;
      this.streaming = undefined;
      this.#abort = undefined;
      if (this.sessionId === sessionId) this.turns = await client.sessions.turns(sessionId);
      await this.loadSessions();
    }
    return sessionId;
  }
}
