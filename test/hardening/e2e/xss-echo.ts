/**
 * The xss suite's model: an OpenAI-compatible server on 127.0.0.1 that streams the payload it is
 * told to as the chat reply, and answers the app's memory jobs (facts, profile patches, summaries)
 * with the payloads of the conversation each job is about.
 */
import { Random } from '../harness';
import { startChatServer, type ChatRequest } from './chat-server';
import type { Payload } from './xss-payloads';

export const MODEL = 'xss-echo';

// eslint-disable-next-line no-control-regex -- control characters are part of the hostile text
export const squash = (text: string) => text.replace(/[\s\0-\x1f\u200b]+/g, '');

export interface EchoServer {
  url: string;
  /** The next chat reply. */
  reply: string;
  close(): Promise<void>;
}

/** A model's JSON answer for the schema the app asked for, made of hostile texts. */
function structuredAnswer(schema: { properties?: Record<string, unknown> }, texts: string[]): unknown {
  const keys = Object.keys(schema.properties ?? {});
  const short = (text: string) => text.trim().slice(0, 300).padEnd(3, '.');
  const pick = (i: number) => short(texts[i % Math.max(texts.length, 1)] ?? 'nothing');
  if (keys.includes('facts')) return { facts: texts.slice(0, 10).map((text) => ({ text: short(text), importance: 0.7 })) };
  if (keys.includes('relation')) return { relation: 'complementary', candidate: 1 };
  if (keys.includes('patches'))
    return {
      patches: [
        { op: 'set', field: 'communicationStyle', value: pick(0) },
        { op: 'add', field: 'goals', value: pick(1) },
        { op: 'set', field: 'preferences', key: 'tone', value: pick(2) },
      ],
    };
  if (keys.includes('summary')) return { summary: texts.join('\n').slice(0, 1000) || 'nothing' };
  return {};
}

/** The prompt's own escaping undone (escape.ts), whitespace and control characters dropped. */
const unescape = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x([0-9A-F]+);/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&amp;/g, '&');

/**
 * The payloads a memory job is about: those the conversation in its prompt holds (the part after
 * `<conversation>` block, or the whole transcript). Each payload is chatted in its own
 * conversation, so a job's answer is made of its own turn's payload, whenever the job runs.
 */
function jobTexts(body: ChatRequest, payloads: Payload[]): string[] {
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  const prompt = String(messages.at(-1)?.content ?? '');
  const conversation = squash(unescape(prompt.split('<conversation>\n').at(-1)!));
  return payloads.filter((p) => conversation.includes(squash(p.text))).map((p) => p.text);
}

export async function startEchoServer(seed: number, payloads: Payload[]): Promise<EchoServer> {
  const state = { reply: '' };
  const server = await startChatServer(
    MODEL,
    (body) => {
      const format = body.response_format;
      return format ? JSON.stringify(structuredAnswer(format.json_schema?.schema ?? {}, jobTexts(body, payloads))) : state.reply;
    },
    // Random piece sizes: markup arrives cut in the middle of tags, entities and URLs. The cuts
    // of a reply depend on the seed and the reply alone.
    (text) => {
      const random = Random.for(seed, text);
      return () => random.int(1, 12);
    },
  );
  return Object.assign(state, server);
}
