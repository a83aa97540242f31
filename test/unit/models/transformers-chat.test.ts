/**
 * The CPU chat engine on a real model: the 260K-parameter TinyStories Llama (it continues stories;
 * it is not instruction-tuned, so these tests prove the generation plumbing, not answer quality).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createTransformersChat } from '../../../src/models/transformers-chat';
import { createChatModel } from '../../../src/models/llm-client';
import { createMemoryClient } from '../../../src/sdk/index';

const models = process.env.MNEME_MODELS!;
const STORY = 'karpathy/tinyllamas-stories260K';
const story = () => createTransformersChat({ model: STORY, modelsBaseUrl: models });

describe('transformers.js chat engine (CPU) on a real tiny Llama', () => {
  it('streams the reply piece by piece, and the pieces are the reply', async () => {
    const model = story();
    const pieces: string[] = [];
    const reply = await model.generate([{ role: 'user', content: 'Once upon a time' }], {
      temperature: 0,
      maxTokens: 40,
      onToken: (piece) => pieces.push(piece),
    });
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.join('').trim()).toBe(reply);
    expect(reply).toMatch(/Lily|little|girl|day/);
    await model.dispose?.();
  });

  it('stops at once when the signal aborts, with ABORTED', async () => {
    const model = story();
    await model.load();
    const controller = new AbortController();
    const pieces: string[] = [];
    const reply = model.generate([{ role: 'user', content: 'Once upon a time' }], {
      temperature: 0.8,
      maxTokens: 400,
      signal: controller.signal,
      onToken: (piece) => {
        pieces.push(piece);
        if (pieces.length === 3) controller.abort();
      },
    });
    await expect(reply).rejects.toMatchObject({ code: 'ABORTED' });
    expect(pieces.length).toBe(3);
    await model.dispose?.();
  });

  it('reports a missing model as MODEL_NOT_FOUND', async () => {
    const model = createTransformersChat({ model: 'nobody/no-such-model', modelsBaseUrl: models });
    await expect(model.load()).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('sends a non-JSON answer through one retry, then fails with LLM_OUTPUT_INVALID and writes nothing', async () => {
    const model = createChatModel({ engine: 'transformers', model: STORY }, { modelsBaseUrl: models, inWorker: false });
    let calls = 0;
    const counted = { ...model, generate: (...args: Parameters<typeof model.generate>) => (calls++, model.generate(...args)) };
    const client = await createMemoryClient({
      inWorker: false,
      profileId: `story${Date.now()}`,
      embedder: false,
      chatModel: counted,
    });
    await expect(
      client.memories.remember([
        { role: 'user', content: 'I live in Berlin' },
        { role: 'assistant', content: 'Noted.' },
      ]),
    ).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID' });
    expect(calls).toBe(2);
    expect(await client.memories.count()).toBe(0);
    await client.close();
    await model.dispose?.();
  });

  it('answers chat.send through the client with the real model, streaming', async () => {
    const client = await createMemoryClient({
      inWorker: false,
      profileId: `story-chat${Date.now()}`,
      embedder: false,
      modelsBaseUrl: models,
    });
    const info = await client.chat.useModel({ engine: 'transformers', model: STORY });
    // The catalog marks the story model as unable to follow a schema: no memory jobs are given to it.
    expect(info).toEqual({ id: STORY, engine: 'transformers', remote: false, structuredOutput: false });
    const session = await client.sessions.create();
    const pieces: string[] = [];
    const reply = await client.chat.send(session.id, 'Once upon a time', { maxTokens: 30, onToken: (p) => pieces.push(p) });
    expect(pieces.length).toBeGreaterThan(3);
    expect(reply.reply?.content.length).toBeGreaterThan(10);
    expect(reply.jobs).toHaveLength(1);
    expect((await client.sessions.turns(session.id)).map((t) => t.role)).toEqual(['user', 'assistant']);
    await client.close();
  });
});
