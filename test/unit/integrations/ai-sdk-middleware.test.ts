/**
 * `mnemeMemory` with `ai` 7 (the `v4` middleware specification), through the SDK's own mock model:
 * recall reaches the model as tagged data, each finished turn is recorded once (and learned from by
 * the outbox, as in the app), the per-call opt-outs, abort and streaming pass through.
 */
import { describe, expect, it, vi } from 'vitest';
import { generateText, isStepCount, jsonSchema, streamText, tool, wrapLanguageModel } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { mnemeMemory } from '../../../src/integrations/ai-sdk/index';
import { assistantModel } from '../../contract/assistant.contract';
import { allTurns, callTool, openClient, replyWith, shown, streamParts } from './ai-sdk-support';

describe('mneme/ai-sdk middleware (ai 7, v4 spec)', () => {
  it('recalls memory into the user message as tagged data, records the turn once, and the outbox learns from it', async () => {
    // Mneme's own chat model does the memory work (facts, profile), as in the app.
    const client = await openClient(assistantModel({ replies: [] }));
    const model = new MockLanguageModelV4({ doGenerate: replyWith('Noted.') });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });
    const first = await client.sessions.create();

    await generateText({
      model: wrapped,
      instructions: 'You are terse.',
      prompt: 'My name is Ada. I love jazz',
      providerOptions: { mneme: { conversationId: first.id } },
    });
    expect(await allTurns(client)).toEqual([
      { role: 'user', content: 'My name is Ada. I love jazz', sessionId: first.id },
      { role: 'assistant', content: 'Noted.', sessionId: first.id },
    ]);
    await client.outbox.drain();
    expect((await client.profile.get()).profile).toMatchObject({ name: 'Ada', interests: ['jazz'] });

    // A second conversation: what the first one taught reaches the model.
    await generateText({ model: wrapped, instructions: 'You are terse.', prompt: 'Any music tips for tonight?' });
    const [system, user] = model.doGenerateCalls[1]!.prompt;
    expect(system).toEqual({ role: 'system', content: 'You are terse.' });
    const text = shown(user);
    expect(user?.role).toBe('user');
    expect(text).toMatch(
      /^<memory>\n[^\n]*never instructions[^\n]*\n<user_profile>\n[\s\S]*Ada[\s\S]*<\/memory>\n\nAny music tips for tonight\?$/,
    );
    expect(text).toContain('The user likes jazz music');
    // The model's own options never carry Mneme's.
    expect(model.doGenerateCalls[1]!.providerOptions?.mneme).toBeUndefined();
    // Recorded as the user said it, without the recalled memory, in a conversation of its own.
    const turns = await allTurns(client);
    expect(turns).toHaveLength(4);
    expect(turns.slice(2).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'Any music tips for tonight?' },
      { role: 'assistant', content: 'Noted.' },
    ]);
    expect(turns[2]!.sessionId).not.toBe(first.id);
    await client.close();
  });

  it('puts memory in a system message of its own after the host’s when placement is system', async () => {
    const client = await openClient();
    await client.memories.add('The user is allergic to peanuts', { kind: 'fact' });
    const model = new MockLanguageModelV4({ doGenerate: replyWith('Try the salad.') });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client, { placement: 'system' }) });

    await generateText({ model: wrapped, instructions: 'Be kind.', prompt: 'What should I eat? I like peanuts' });
    const prompt = model.doGenerateCalls[0]!.prompt;
    expect(prompt.map((message) => message.role)).toEqual(['system', 'system', 'user']);
    expect(prompt[0]).toEqual({ role: 'system', content: 'Be kind.' });
    expect(shown(prompt[1])).toContain('The user is allergic to peanuts');
    expect(shown(prompt[2])).toBe('What should I eat? I like peanuts');
    await client.close();
  });

  it('streams every part unchanged, in order, and records the turn only once the stream has finished', async () => {
    const client = await openClient();
    const deltas = ['Hel', 'lo', ', A', 'da', '!'];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const parts = streamParts(deltas);
    const model = new MockLanguageModelV4({
      doStream: async () => ({
        // The last part (finish) waits until the test has seen the first tokens.
        stream: new ReadableStream({
          async start(controller) {
            for (const part of parts.slice(0, -1)) controller.enqueue(part);
            await held;
            controller.enqueue(parts.at(-1)!);
            controller.close();
          },
        }),
      }),
    });
    const raw = new MockLanguageModelV4({ doStream: { stream: convertArrayToReadableStream(parts) } });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });

    const result = streamText({ model: wrapped, prompt: 'Say hello' });
    const seen: string[] = [];
    const reader = result.textStream[Symbol.asyncIterator]();
    for (let i = 0; i < deltas.length; i++) seen.push((await reader.next()).value as string);
    expect(seen).toEqual(deltas);
    expect(await allTurns(client)).toEqual([]);
    release();
    expect((await reader.next()).done).toBe(true);
    expect((await allTurns(client)).map((turn) => turn.content)).toEqual(['Say hello', 'Hello, Ada!']);

    // The parts a host reads are those it reads from the same model without Mneme.
    const plain = await wrapLanguageModel({ model: raw, middleware: [] }).doStream({ prompt: [] });
    const through = await wrapLanguageModel({
      model: new MockLanguageModelV4({ doStream: { stream: convertArrayToReadableStream(parts) } }),
      middleware: mnemeMemory(client),
    }).doStream({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'Again' }] }] });
    const read = async (stream: ReadableStream<unknown>) => {
      const got: unknown[] = [];
      for await (const part of stream as unknown as AsyncIterable<unknown>) got.push(part);
      return got;
    };
    expect(await read(through.stream)).toEqual(await read(plain.stream));
    await client.close();
  });

  it('records a two-step tool loop once: the user message and all the assistant text after it', async () => {
    const client = await openClient();
    await client.memories.add('The user lives in Lisbon', { kind: 'fact' });
    const build = vi.spyOn(client.context, 'build');
    const model = new MockLanguageModelV4({
      doGenerate: [
        callTool('weather', { city: 'Lisbon' }, 'Let me check the weather in Lisbon.'),
        replyWith('It is sunny, 24 °C.'),
      ],
    });
    const weather = tool({
      description: 'The weather in a city',
      inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
      execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 24 }),
    });

    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: mnemeMemory(client) }),
      tools: { weather },
      stopWhen: isStepCount(3),
      prompt: 'What is the weather where I live?',
    });
    expect(result.steps).toHaveLength(2);
    // Both steps saw the memory; it was looked up once for the turn.
    for (const call of model.doGenerateCalls) expect(shown(call.prompt[0])).toContain('The user lives in Lisbon');
    expect(build).toHaveBeenCalledTimes(1);
    expect((await allTurns(client)).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'What is the weather where I live?' },
      { role: 'assistant', content: 'Let me check the weather in Lisbon.\n\nIt is sunny, 24 °C.' },
    ]);
    await client.close();
  });

  it('honours recall: false, remember: false, kinds and asOf per call, and rejects unknown options', async () => {
    const client = await openClient();
    const past = Date.now() - 86_400_000;
    await client.memories.add('The user drinks green tea', { kind: 'preference' });
    await client.memories.add('The user drinks coffee with oat milk', { kind: 'note' });
    const model = new MockLanguageModelV4({ doGenerate: replyWith('Sure.') });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });
    const ask = (mneme: Record<string, unknown>) =>
      generateText({ model: wrapped, prompt: 'What does the user drink?', providerOptions: { mneme } as never });
    const lastPrompt = () => shown(model.doGenerateCalls.at(-1)!.prompt[0]);

    await ask({ recall: false, remember: false });
    expect(lastPrompt()).toBe('What does the user drink?');
    expect(await allTurns(client)).toEqual([]);

    await ask({ remember: false });
    expect(lastPrompt()).toContain('green tea');
    expect(lastPrompt()).toContain('oat milk');
    await ask({ kinds: ['preference'], remember: false });
    expect(lastPrompt()).toContain('green tea');
    expect(lastPrompt()).not.toContain('oat milk');
    // Yesterday neither memory was true yet.
    await ask({ asOf: past, remember: false });
    expect(lastPrompt()).toBe('What does the user drink?');
    expect(await allTurns(client)).toEqual([]);

    await ask({ recall: false });
    expect(lastPrompt()).toBe('What does the user drink?');
    expect(await allTurns(client)).toHaveLength(2);

    // The same question in a later turn sees what was learned meanwhile (recall is reused only within a turn).
    await ask({ remember: false });
    expect(lastPrompt()).not.toContain('rooibos');
    await client.memories.add('The user drinks rooibos at night', { kind: 'preference' });
    await ask({ remember: false });
    expect(lastPrompt()).toContain('rooibos');

    await expect(ask({ remeber: false })).rejects.toThrow(/unknown option remeber/);
    await expect(ask({ kinds: ['secret'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await client.close();
  });

  it('passes the abort signal to the model as given; an aborted stream records nothing', async () => {
    const client = await openClient();
    const controller = new AbortController();
    const parts = streamParts(['One', ' two', ' three']);
    const model = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => ({
        stream: new ReadableStream({
          start(stream) {
            // The stream's start and its first token, then nothing until the abort.
            for (const part of parts.slice(0, 3)) stream.enqueue(part);
            abortSignal?.addEventListener('abort', () => stream.error(abortSignal.reason));
          },
        }),
      }),
    });
    const wrapped = wrapLanguageModel({ model, middleware: mnemeMemory(client) });

    // Straight through the middleware: the very same signal object reaches the model.
    await wrapped.doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'Count' }] }],
      abortSignal: controller.signal,
    });
    expect(model.doStreamCalls[0]!.abortSignal).toBe(controller.signal);

    const aborted = new AbortController();
    const result = streamText({ model: wrapped, prompt: 'Count to three', abortSignal: aborted.signal });
    const reader = result.textStream[Symbol.asyncIterator]();
    expect((await reader.next()).value).toBe('One');
    aborted.abort();
    const drain = async () => {
      for (let next = await reader.next(); !next.done; next = await reader.next());
    };
    await drain().catch(() => undefined);
    expect(model.doStreamCalls[1]!.abortSignal?.aborted).toBe(true);
    expect(await allTurns(client)).toEqual([]);
    await client.close();
  });
});
