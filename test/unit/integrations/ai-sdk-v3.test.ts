/**
 * `mnemeMemory` with `ai` 6 (the `v3` middleware specification; installed here as `ai-v6`), through
 * that version's own mock model: the same middleware recalls, records a tool loop once and streams
 * unchanged.
 */
import { describe, expect, it } from 'vitest';
import { generateText, jsonSchema, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai-v6';
import { MockLanguageModelV3, convertArrayToReadableStream } from 'ai-v6/test';
import { mnemeMemory } from '../../../src/integrations/ai-sdk/index';
import { allTurns, callTool, openClient, replyWith, shown, streamParts } from './ai-sdk-support';

// Typed against the `ai` the repository builds with (7); a host on `ai` 6 gets `ai` 6's types.
const middleware = (...args: Parameters<typeof mnemeMemory>) =>
  mnemeMemory(args[0], { ...args[1], specificationVersion: 'v3' }) as unknown as Parameters<
    typeof wrapLanguageModel
  >[0]['middleware'];

describe('mneme/ai-sdk middleware (ai 6, v3 spec)', () => {
  it('declares the v3 specification and recalls memory into the message being answered', async () => {
    const client = await openClient();
    await client.memories.add('The user is called Grace', { kind: 'fact' });
    expect(middleware(client)).toMatchObject({ specificationVersion: 'v3' });
    const model = new MockLanguageModelV3({ doGenerate: replyWith('Hello Grace.') });

    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: middleware(client) }),
      system: 'Be brief.',
      prompt: 'Do you know what the user is called?',
    });
    expect(result.text).toBe('Hello Grace.');
    const [system, user] = model.doGenerateCalls[0]!.prompt;
    expect(system).toEqual({ role: 'system', content: 'Be brief.' });
    expect(shown(user)).toMatch(
      /^<memory>[\s\S]*The user is called Grace[\s\S]*<\/memory>\n\nDo you know what the user is called\?$/,
    );
    expect((await allTurns(client)).map((turn) => turn.content)).toEqual([
      'Do you know what the user is called?',
      'Hello Grace.',
    ]);
    await client.close();
  });

  it('records a two-step tool loop once', async () => {
    const client = await openClient();
    const model = new MockLanguageModelV3({
      doGenerate: [callTool('clock', {}, 'Let me look.'), replyWith('It is noon.')],
    });
    const clock = tool({
      description: 'The time',
      inputSchema: jsonSchema<Record<string, never>>({ type: 'object', properties: {} }),
      execute: async () => ({ time: '12:00' }),
    });
    const result = await generateText({
      model: wrapLanguageModel({ model, middleware: middleware(client) }),
      tools: { clock },
      stopWhen: stepCountIs(3),
      prompt: 'What time is it?',
    });
    expect(result.steps).toHaveLength(2);
    expect((await allTurns(client)).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: 'Let me look.\n\nIt is noon.' },
    ]);
    await client.close();
  });

  it('streams the tokens unchanged and records the reply after the stream', async () => {
    const client = await openClient();
    const deltas = ['Good', ' mor', 'ning'];
    const model = new MockLanguageModelV3({ doStream: { stream: convertArrayToReadableStream(streamParts(deltas)) } });
    const result = streamText({ model: wrapLanguageModel({ model, middleware: middleware(client) }), prompt: 'Greet me' });
    const seen: string[] = [];
    for await (const piece of result.textStream) seen.push(piece);
    expect(seen).toEqual(deltas);
    expect((await allTurns(client)).map((turn) => turn.content)).toEqual(['Greet me', 'Good morning']);
    await client.close();
  });
});
