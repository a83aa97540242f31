/**
 * `mneme/ai-sdk` in Chromium over the worker client: the AI SDK and its mock model run in the page,
 * Mneme in its worker (with its chat model in the page, as a host's would be). A streamed turn is
 * recorded once, its memory work runs in the worker's outbox, and a second conversation recalls it.
 */
import { describe, expect, it } from 'vitest';
import { streamText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { createMemoryClient } from '../../src/sdk/index';
import { mnemeMemory } from '../../src/integrations/ai-sdk/index';
import { assistantModel } from '../contract/assistant.contract';
import { shown, streamParts } from '../unit/integrations/ai-sdk-support';

describe('mneme/ai-sdk with the worker client (Chromium)', () => {
  it('streams unchanged, records the turn once, and a second conversation recalls what the first taught', async () => {
    const client = await createMemoryClient({
      profileId: `aisdk${Date.now()}`,
      embedder: false,
      modelsBaseUrl: '/models/',
      chatModel: assistantModel({ replies: [] }),
    });
    expect(client.mode).toBe('worker');
    const replies = [
      ['Nice', ' to', ' meet', ' you,', ' Ada.'],
      ['Try', ' a', ' jazz', ' club.'],
    ];
    const model = new MockLanguageModelV4({
      doStream: replies.map((deltas) => ({ stream: convertArrayToReadableStream(streamParts(deltas)) })),
    });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });
    const chat = async (conversationId: string, prompt: string) => {
      const tokens: string[] = [];
      const result = streamText({ model: wrapped, prompt, providerOptions: { mneme: { conversationId } } });
      for await (const token of result.textStream) tokens.push(token);
      return tokens;
    };

    const first = await client.sessions.create();
    expect(await chat(first.id, 'My name is Ada. I love jazz')).toEqual(replies[0]);
    expect((await client.sessions.turns(first.id)).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'My name is Ada. I love jazz' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
    ]);
    await client.outbox.drain();

    const second = await client.sessions.create();
    expect(await chat(second.id, 'Any music tips for tonight?')).toEqual(replies[1]);
    const asked = shown(model.doStreamCalls[1]!.prompt[0]);
    expect(asked).toContain('<user_profile>');
    expect(asked).toContain('Ada');
    expect(asked).toContain('The user likes jazz music');
    expect(asked.endsWith('Any music tips for tonight?')).toBe(true);
    expect(await client.sessions.turns(second.id)).toHaveLength(2);
    await client.close();
  });
});
