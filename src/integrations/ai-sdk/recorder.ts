/**
 * Records finished turns into Mneme conversations the way the app does: the user's message and the
 * reply are appended to a session (`sessions.append`), and the reply's append queues the memory work
 * in the background outbox (facts, profile updates, the rolling summary). Turns of one conversation
 * are written one after the other, so two replies finishing together never interleave.
 */
import type { MemoryClient } from '../../sdk/client';

export interface Recorder {
  /** Appends the exchange to the conversation; resolves once both turns are stored. */
  record(conversationId: string | undefined, user: string, reply: string): Promise<void>;
}

export function createRecorder(client: MemoryClient, defaultConversation: string | undefined): Recorder {
  /** A host's conversation id (or none: this middleware's own conversation) → the Mneme session. */
  const sessions = new Map<string | undefined, Promise<string>>();
  const queues = new Map<string, Promise<void>>();

  const resolve = (conversationId: string | undefined): Promise<string> => {
    const key = conversationId ?? defaultConversation;
    let session = sessions.get(key);
    if (!session) {
      // A Mneme session id is used as it is; any other id (or none) gets a session of its own.
      session = (key === undefined ? Promise.resolve(undefined) : client.sessions.get(key))
        .then((found) => found ?? client.sessions.create())
        .then((found) => found.id);
      // A failed lookup is tried again on the next turn rather than remembered.
      session.catch(() => sessions.delete(key));
      sessions.set(key, session);
    }
    return session;
  };

  return {
    async record(conversationId, user, reply) {
      const sessionId = await resolve(conversationId);
      const previous = queues.get(sessionId) ?? Promise.resolve();
      const write = previous
        .catch(() => undefined)
        .then(async () => {
          await client.sessions.append(sessionId, { role: 'user', content: user });
          await client.sessions.append(sessionId, { role: 'assistant', content: reply });
        });
      queues.set(sessionId, write);
      try {
        await write;
      } finally {
        if (queues.get(sessionId) === write) queues.delete(sessionId);
      }
    },
  };
}
