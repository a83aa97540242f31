/**
 * What the `mneme/ai-sdk` tests share: an in-process Mneme client (Node, fake-indexeddb) and the
 * results a mock language model answers with. Generate results, stream parts and usage have the
 * same shape in the `v3` (`ai` 6) and `v4` (`ai` 7) specifications, so both suites use these.
 */
import { createMemoryClient, type ChatModel, type MemoryClient } from '../../../src/sdk/index';

let counter = 0;

export function openClient(chatModel?: ChatModel): Promise<MemoryClient> {
  return createMemoryClient({
    profileId: `aisdk${Date.now()}x${counter++}`,
    inWorker: false,
    embedder: false,
    modelsBaseUrl: process.env.MNEME_MODELS!,
    ...(chatModel ? { chatModel } : {}),
  });
}

export const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const stop = { unified: 'stop', raw: 'stop' } as const;

export const replyWith = (text: string) => ({
  content: [{ type: 'text' as const, text }],
  finishReason: stop,
  usage,
  warnings: [],
});

let calls = 0;
/** A step that calls a tool (and may say something before it): the turn is not over yet. */
export const callTool = (toolName: string, input: unknown, text?: string) => ({
  content: [
    ...(text ? [{ type: 'text' as const, text }] : []),
    { type: 'tool-call' as const, toolCallId: `call-${++calls}`, toolName, input: JSON.stringify(input) },
  ],
  finishReason: { unified: 'tool-calls', raw: 'tool_calls' } as const,
  usage,
  warnings: [],
});

/** The stream parts of a reply made of `deltas`, in order. */
export const streamParts = (deltas: string[]) => [
  { type: 'stream-start' as const, warnings: [] },
  { type: 'text-start' as const, id: 't1' },
  ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
  { type: 'text-end' as const, id: 't1' },
  { type: 'finish' as const, finishReason: stop, usage },
];

/** Every text part of a prompt message, joined (what the model was shown in that message). */
export function shown(message: { role: string; content: unknown } | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  return (message.content as { type: string; text?: string }[]).map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** The turns of every session of the client, oldest session first. */
export async function allTurns(client: MemoryClient): Promise<{ role: string; content: string; sessionId: string }[]> {
  const sessions = (await client.sessions.list()).reverse();
  const turns = await Promise.all(sessions.map((session) => client.sessions.turns(session.id)));
  return turns.flat().map(({ role, content, sessionId }) => ({ role, content, sessionId }));
}
