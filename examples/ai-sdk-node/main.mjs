/**
 * Mneme as Vercel AI SDK middleware: two conversations, and the second one knows what the first
 * one taught. Runs in Node with no network and no model download: memory lives in an in-memory
 * IndexedDB (fake-indexeddb) and the language model is a scripted stand-in from `ai/test`. In a
 * browser, drop the first import and wrap any AI SDK model instead, e.g. an in-browser one.
 */
import 'fake-indexeddb/auto';
import { createMemoryClient } from 'mneme';
import { mnemeMemory } from 'mneme/ai-sdk';
import { streamText, wrapLanguageModel } from 'ai';
import * as mocks from 'ai/test';

// `ai` 7 has MockLanguageModelV4, `ai` 6 MockLanguageModelV3: the middleware works with both.
const MockLanguageModel = mocks.MockLanguageModelV4 ?? mocks.MockLanguageModelV3;

/** A stand-in model: it answers from the memory it is shown (Mneme's `<memory>` block), word by word. */
const scripted = new MockLanguageModel({
  async doStream({ prompt }) {
    const shown = JSON.stringify(prompt);
    const memory = /<memory>.*?<\/memory>/.exec(shown)?.[0] ?? '';
    const answer = memory.includes('Porto')
      ? 'Since you live in Porto and eat no meat, try the vegetarian francesinha at a tasca near Bolhão.'
      : 'Nice to meet you! I will keep that in mind.';
    const words = answer.split(/(?= )/);
    const usage = { inputTokens: { total: shown.length / 4 }, outputTokens: { total: words.length } };
    return {
      stream: new ReadableStream({
        start(controller) {
          controller.enqueue({ type: 'text-start', id: 'reply' });
          for (const delta of words) controller.enqueue({ type: 'text-delta', id: 'reply', delta });
          controller.enqueue({ type: 'text-end', id: 'reply' });
          controller.enqueue({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage });
          controller.close();
        },
      }),
    };
  },
});

// In a browser: `createMemoryClient()` (a worker, the default embedder); here in-process, keyword memory.
const client = await createMemoryClient({ inWorker: false, embedder: false });
const model = wrapLanguageModel({ model: scripted, middleware: mnemeMemory(client) });

async function chat(conversationId, text) {
  const result = streamText({ model, prompt: text, providerOptions: { mneme: { conversationId } } });
  let reply = '';
  for await (const token of result.textStream) reply += token;
  console.log(`user: ${text}\nassistant: ${reply}`);
  return reply;
}

const first = await client.sessions.create('Getting to know each other');
await chat(first.id, 'Hi! I live in Porto and I am vegetarian.');
// What the user said is learned in the background; wait for it here (an app would just go on).
await client.outbox.drain();
console.log(`remembered: ${(await client.memories.list()).map((memory) => memory.text).join(' | ')}`);

const second = await client.sessions.create('Dinner');
await chat(second.id, 'Where should I have dinner tonight?');
await client.close();
