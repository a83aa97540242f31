/**
 * `mneme/ai-sdk` with an in-browser model the way a host wires one: `streamText` over
 * `@browser-ai/web-llm`'s provider, whose WebLLM engine runs in a worker of its own (scripted there,
 * behind WebLLM's real worker protocol: fixtures/scripted-webllm.worker.ts), and Mneme in its
 * worker. The first conversation teaches, its memory work runs in Mneme's outbox, and the second
 * conversation is answered from what the first taught; both streams arrive token by token.
 */
import { describe, expect, it } from 'vitest';
import { streamText, wrapLanguageModel } from 'ai';
import { WebLLMLanguageModel } from '@browser-ai/web-llm';
import { createMemoryClient } from '../../src/sdk/index';
import { mnemeMemory } from '../../src/integrations/ai-sdk/index';
import { assistantModel } from '../contract/assistant.contract';

describe('mneme/ai-sdk with a WebLLM model in a worker (Chromium)', () => {
  it('streams from the engine worker, records the turn, and a second conversation recalls it', async () => {
    const client = await createMemoryClient({
      profileId: `aisdkwebllm${Date.now()}`,
      embedder: false,
      modelsBaseUrl: '/models/',
      chatModel: assistantModel({ replies: [] }),
    });
    expect(client.mode).toBe('worker');
    const engineWorker = new Worker(new URL('./fixtures/scripted-webllm.worker.ts', import.meta.url), { type: 'module' });
    const model = new WebLLMLanguageModel('SmolLM2-360M-Instruct-q4f16_1-MLC', { worker: engineWorker });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });
    const chat = async (conversationId: string, prompt: string) => {
      const tokens: string[] = [];
      const result = streamText({ model: wrapped, prompt, providerOptions: { mneme: { conversationId } } });
      for await (const token of result.textStream) tokens.push(token);
      return tokens;
    };

    const first = await client.sessions.create();
    const taught = await chat(first.id, 'My name is Ada. I love jazz');
    expect(taught).toEqual(['Nice', ' to', ' meet', ' you,', ' Ada.']);
    expect((await client.sessions.turns(first.id)).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'My name is Ada. I love jazz' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
    ]);
    await client.outbox.drain();
    expect((await client.memories.list({ kinds: ['fact'] })).map((memory) => memory.text)).toContain('The user likes jazz music');

    const second = await client.sessions.create();
    const recalled = await chat(second.id, 'Any music tips for tonight?');
    // The engine says this only when its prompt held Mneme's <memory> block with the fact from the first conversation.
    expect(recalled).toEqual(['You', ' love', ' jazz:', ' try', ' the', ' jazz', ' club', ' tonight.']);
    expect((await client.sessions.turns(second.id)).map(({ content }) => content)).toEqual([
      'Any music tips for tonight?',
      'You love jazz: try the jazz club tonight.',
    ]);
    engineWorker.terminate();
    await client.close();
  });
});
