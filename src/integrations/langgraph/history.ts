/**
 * `MnemeChatMessageHistory`: LangChain's chat message history (`BaseChatMessageHistory`) over a
 * Mneme conversation (a session). Each message is stored as a turn as soon as it is added, so the
 * conversation survives reloads, shows in the app, and feeds the same background memory work as a
 * chat in the app (facts, profile updates, the rolling summary). Texts are kept as the app keeps
 * turns: trimmed.
 */
import { BaseChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { MemoryClient } from '../../sdk/client';
import { MemoryError } from '../../sdk/errors';
import type { Turn } from '../../sdk/types';

export interface MnemeChatMessageHistoryOptions {
  /** An existing Mneme session (`client.sessions.create()`); without one, a session is created on the first message. */
  sessionId?: string;
  /** The title of a session this history creates; default: the first user message, as in the app. */
  title?: string;
}

const ROLES: Record<string, Turn['role']> = { human: 'user', ai: 'assistant', system: 'system' };

/** The text of a message: its string content, or its text parts joined. Anything else is refused. */
function textOf(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  return content
    .map((part) => {
      if (part.type === 'text' && typeof part.text === 'string') return part.text;
      throw new MemoryError('INVALID_ARGUMENT', `A Mneme conversation keeps text only, not ${String(part.type)} parts`);
    })
    .join('');
}

function turnOf(message: BaseMessage): { role: Turn['role']; content: string } {
  const role = ROLES[message.getType()];
  const toolCalls = (message as AIMessage).tool_calls ?? [];
  if (!role || toolCalls.length > 0) {
    throw new MemoryError(
      'INVALID_ARGUMENT',
      `A Mneme conversation keeps human, AI and system text messages; not a ${message.getType()} message${toolCalls.length ? ' with tool calls' : ''}`,
    );
  }
  const content = textOf(message);
  if (content.trim() === '') throw new MemoryError('INVALID_ARGUMENT', 'A Mneme conversation keeps no blank messages');
  return { role, content };
}

function messageOf(turn: Turn): BaseMessage {
  const fields = { content: turn.content, id: turn.id };
  if (turn.role === 'user') return new HumanMessage(fields);
  if (turn.role === 'assistant') return new AIMessage(fields);
  return new SystemMessage(fields);
}

export class MnemeChatMessageHistory extends BaseChatMessageHistory {
  lc_namespace = ['mneme', 'langgraph'];
  readonly #client: MemoryClient;
  readonly #title: string | undefined;
  #sessionId: string | undefined;
  #creating: Promise<string> | undefined;

  constructor(client: MemoryClient, options: MnemeChatMessageHistoryOptions = {}) {
    super();
    this.#client = client;
    this.#sessionId = options.sessionId;
    this.#title = options.title;
  }

  /** The Mneme session the messages go to; undefined until the first message when none was given (or after `clear`). */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  async #session(): Promise<string> {
    if (this.#sessionId) return this.#sessionId;
    this.#creating ??= this.#client.sessions.create(this.#title).then((session) => (this.#sessionId = session.id));
    return this.#creating;
  }

  /** The conversation's messages, oldest first (turns folded into the rolling summary included). */
  async getMessages(): Promise<BaseMessage[]> {
    if (!this.#sessionId) return [];
    const turns = await this.#client.sessions.turns(this.#sessionId, { includeArchived: true });
    return turns.map(messageOf);
  }

  /**
   * Stores the message as a turn. Refuses (`INVALID_ARGUMENT`) what a Mneme conversation cannot hold:
   * tool messages, AI messages with tool calls, non-text content parts and blank messages.
   */
  async addMessage(message: BaseMessage): Promise<void> {
    const turn = turnOf(message);
    await this.#client.sessions.append(await this.#session(), turn);
  }

  /** Validates every message first, so a refused one leaves none of the others half-stored. */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    const turns = messages.map(turnOf);
    const sessionId = await this.#session();
    for (const turn of turns) await this.#client.sessions.append(sessionId, turn);
  }

  addUserMessage(message: string): Promise<void> {
    return this.addMessage(new HumanMessage(message));
  }

  addAIMessage(message: string): Promise<void> {
    return this.addMessage(new AIMessage(message));
  }

  /**
   * Deletes the Mneme session with all its turns (what the memory work already learned from them
   * stays, as in the app). The next message starts a new session (see `sessionId`).
   */
  async clear(): Promise<void> {
    const sessionId = this.#sessionId ?? (await this.#creating);
    this.#sessionId = undefined;
    this.#creating = undefined;
    if (sessionId) await this.#client.sessions.delete(sessionId);
  }
}
