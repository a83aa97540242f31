/**
 * `mneme/mem0` in Node (fake-indexeddb, keyword search): mem0's `Memory` calls and shapes, each user
 * or agent in a profile of its own, and extraction through a scripted chat model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Memory } from '../../../src/integrations/mem0/index';
import { createMemoryClient, type MemoryClientOptions } from '../../../src/sdk/index';
import { scriptedChat } from '../../contract/facts.contract';

let counter = 0;
const opened: Memory[] = [];

/** A Memory over storage of its own, so that `reset` and profile lists see only this test's profiles. */
function fresh(extra: MemoryClientOptions = {}): { memory: Memory; options: MemoryClientOptions } {
  const options: MemoryClientOptions = {
    storageName: `mem0t${Date.now()}x${counter++}`,
    inWorker: false,
    embedder: false,
    modelsBaseUrl: process.env.MNEME_MODELS!,
    ...extra,
  };
  const memory = new Memory(options);
  opened.push(memory);
  return { memory, options };
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((memory) => memory.close()));
});

describe('mneme/mem0 Memory', () => {
  it('needs a userId, agentId or runId for every scoped call, and writes nothing without one', async () => {
    const { memory } = fresh();
    for (const call of [
      () => memory.add('I like tea', {}),
      () => memory.search('tea', {}),
      () => memory.getAll({}),
      () => memory.deleteAll({}),
      () => memory.add('I like tea', { userId: '' }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    await memory.add('I like coffee', { userId: 'alice', infer: false });
    await expect(memory.getAll({ userId: 'alice' })).resolves.toMatchObject({ results: [{ memory: 'I like coffee' }] });
  });

  it('stores the text as given with infer: false, under camelCase or snake_case ids, in mem0’s shapes', async () => {
    const { memory } = fresh();
    const added = await memory.add(
      [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'My cat is called Miso' },
        { role: 'assistant', content: 'What a lovely name!' },
      ],
      { user_id: 'alice', metadata: { topic: 'pets' }, infer: false },
    );
    expect(added.results.map(({ memory: text, event, metadata }) => ({ text, event, metadata }))).toEqual([
      { text: 'My cat is called Miso', event: 'ADD', metadata: { topic: 'pets', event: 'ADD' } },
      { text: 'What a lovely name!', event: 'ADD', metadata: { topic: 'pets', event: 'ADD' } },
    ]);
    const all = await memory.getAll({ userId: 'alice' });
    expect(all.results).toHaveLength(2);
    const cat = all.results.find((item) => item.memory === 'My cat is called Miso')!;
    expect(cat).toMatchObject({ id: added.results[0]!.id, userId: 'alice', metadata: { topic: 'pets', role: 'user' } });
    expect(new Date(cat.createdAt).toISOString()).toBe(cat.createdAt);
    expect(cat.updatedAt).toBe(cat.createdAt);
    expect(await memory.get(cat.id)).toEqual(cat);
  });

  it('keeps each user and agent apart: their own profile, never mixed in search, getAll or deleteAll', async () => {
    const { memory, options } = fresh();
    await memory.add('I am allergic to peanuts', { userId: 'alice', infer: false });
    await memory.add('I am allergic to shellfish', { userId: 'bob', infer: false });
    await memory.add('Peanuts are in the satay recipe', { agentId: 'chef', infer: false });
    await memory.add('Alice asked the chef about peanuts', { userId: 'alice', agentId: 'chef', infer: false });

    const texts = (results: { memory: string }[]) => results.map((item) => item.memory).sort();
    expect(texts((await memory.search('allergic peanuts shellfish', { userId: 'alice' })).results)).toEqual([
      'Alice asked the chef about peanuts',
      'I am allergic to peanuts',
    ]);
    expect(texts((await memory.search('allergic peanuts shellfish', { userId: 'bob' })).results)).toEqual([
      'I am allergic to shellfish',
    ]);
    expect(texts((await memory.getAll({ agentId: 'chef' })).results)).toEqual(['Peanuts are in the satay recipe']);
    expect(texts((await memory.getAll({ user_id: 'alice', agent_id: 'chef' })).results)).toEqual([
      'Alice asked the chef about peanuts',
    ]);

    // Three profiles, named after their owners.
    const client = await createMemoryClient({ ...options, profileId: 'lister' });
    const names = (await client.profiles.list()).filter((profile) => profile.id.startsWith('mem0-')).map((p) => p.name);
    expect(names.sort()).toEqual(['agent: chef', 'user: alice', 'user: bob']);
    await client.close();

    await memory.deleteAll({ userId: 'alice', agentId: 'chef' });
    expect(texts((await memory.getAll({ userId: 'alice' })).results)).toEqual(['I am allergic to peanuts']);
    await memory.deleteAll({ userId: 'bob' });
    expect((await memory.getAll({ userId: 'bob' })).results).toEqual([]);
    expect((await memory.getAll({ userId: 'alice' })).results).toHaveLength(1);
    expect((await memory.getAll({ agentId: 'chef' })).results).toHaveLength(1);
  });

  it('gives search results scores, best first, cut by topK, threshold and metadata filters', async () => {
    const { memory } = fresh();
    await memory.add('I play the violin every evening', { userId: 'u1', metadata: { topic: 'music' }, infer: false });
    await memory.add('My violin teacher lives in Vienna', { userId: 'u1', metadata: { topic: 'music' }, infer: false });
    await memory.add('I run on Sundays', { userId: 'u1', metadata: { topic: 'sport' }, infer: false });

    const { results } = await memory.search('violin evening', { userId: 'u1' });
    expect(results.map((item) => item.memory)).toEqual(['I play the violin every evening', 'My violin teacher lives in Vienna']);
    expect(results.every((item) => typeof item.score === 'number' && item.score > 0)).toBe(true);
    expect(results[0]!.score!).toBeGreaterThan(results[1]!.score!);

    expect((await memory.search('violin evening', { userId: 'u1', topK: 1 })).results).toHaveLength(1);
    // Between the two scores (recency moves every score a little from one search to the next).
    const threshold = (results[0]!.score! + results[1]!.score!) / 2;
    const above = await memory.search('violin evening', { userId: 'u1', threshold });
    expect(above.results.map((item) => item.memory)).toEqual(['I play the violin every evening']);
    const sport = await memory.search('violin Sundays', { userId: 'u1', filters: { topic: 'sport' } });
    expect(sport.results.map((item) => item.memory)).toEqual(['I run on Sundays']);
    const either = await memory.getAll({ userId: 'u1', filters: { topic: { in: ['sport', 'music'] } } });
    expect(either.results).toHaveLength(3);
    await expect(
      memory.search('x', { userId: 'u1', filters: { topic: 'music', lang: { gt: 1 } as never } }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('answers null after a delete, grows the history with each update, and finds ids from a new instance', async () => {
    const { memory, options } = fresh();
    const [added] = (await memory.add('I live in Berlin', { userId: 'alice', infer: false })).results;
    const id = added!.id;
    await expect(memory.update(id, 'I live in Lisbon')).resolves.toEqual({ message: 'Memory updated successfully!' });

    const again = new Memory(options);
    opened.push(again);
    expect(await again.get(id)).toMatchObject({ memory: 'I live in Lisbon', userId: 'alice' });
    const history = await again.history(id);
    expect(history.map(({ action, previousValue, newValue }) => ({ action, previousValue, newValue }))).toEqual([
      { action: 'ADD', previousValue: null, newValue: 'I live in Berlin' },
      { action: 'UPDATE', previousValue: 'I live in Berlin', newValue: 'I live in Lisbon' },
    ]);
    await again.update(id, 'I live in Porto');
    expect(await again.history(id)).toHaveLength(3);

    await expect(memory.delete(id)).resolves.toEqual({ message: 'Memory deleted successfully!' });
    expect(await memory.get(id)).toBeNull();
    expect(await again.get(id)).toBeNull();
    expect((await memory.history(id)).map((row) => row.action)).toEqual(['ADD', 'UPDATE', 'UPDATE', 'DELETE']);
    await expect(memory.delete(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(memory.update(id, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs extraction with the configured chat model when infer is true, and reports ADD then UPDATE', async () => {
    const calls: string[] = [];
    const { memory } = fresh({ chatModel: scriptedChat(calls) });
    const say = (content: string) => [
      { role: 'user' as const, content },
      { role: 'assistant' as const, content: 'Noted.' },
    ];
    const first = await memory.add(say('I live in Berlin'), { userId: 'alice', metadata: { source: 'chat' } });
    expect(calls).toContain('extract');
    expect(first.results).toMatchObject([{ memory: 'The user lives in Berlin', event: 'ADD' }]);
    const second = await memory.add(say('I just moved to Lisbon'), { userId: 'alice', runId: 'r1' });
    expect(second.results).toMatchObject([
      { memory: 'The user lives in Lisbon', event: 'UPDATE', previousMemory: 'The user lives in Berlin' },
    ]);
    const all = await memory.getAll({ userId: 'alice' });
    expect(all.results.map(({ memory: text, metadata, runId }) => ({ text, metadata, runId }))).toEqual([
      { text: 'The user lives in Lisbon', metadata: { source: 'extraction' }, runId: 'r1' },
    ]);
    expect((await memory.getAll({ userId: 'alice', runId: 'r1' })).results).toHaveLength(1);

    // A fact already known changes nothing (mem0's NONE): no result, no second memory.
    const [sister] = (await memory.add(say('My sister Ana is a doctor'), { userId: 'bob' })).results;
    expect(sister).toMatchObject({ memory: 'The user has a sister', event: 'ADD' });
    expect((await memory.add(say('My sister Ana is a doctor'), { userId: 'bob' })).results).toEqual([]);
    expect((await memory.getAll({ userId: 'bob' })).results.map((item) => item.id)).toEqual([sister!.id]);
  });

  it('reset deletes every mem0 profile and its memories', async () => {
    const { memory, options } = fresh();
    const [kept] = (await memory.add('I like tea', { userId: 'alice', infer: false })).results;
    await memory.add('Tea is served at five', { agentId: 'butler', infer: false });
    await memory.reset();
    expect(await memory.get(kept!.id)).toBeNull();
    expect((await memory.getAll({ userId: 'alice' })).results).toEqual([]);
    expect((await memory.getAll({ agentId: 'butler' })).results).toEqual([]);
    const client = await createMemoryClient({ ...options, profileId: 'lister' });
    const left = (await client.profiles.list()).filter((profile) => profile.id.startsWith('mem0-'));
    expect(left.map((profile) => profile.name).sort()).toEqual(['agent: butler', 'user: alice']);
    await client.close();
  });
});
