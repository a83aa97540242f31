/**
 * `mneme/langgraph`'s `MnemeChatMessageHistory` in Node: a LangChain `RunnableWithMessageHistory`
 * over a Mneme conversation, what it refuses, and random message sequences that must read back the
 * same as from LangChain's own `InMemoryChatMessageHistory`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatPromptTemplate, MessagesPlaceholder } from '@langchain/core/prompts';
import { RunnableWithMessageHistory } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { MnemeChatMessageHistory } from '../../../src/integrations/langgraph/index';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';

let client: MemoryClient;

beforeAll(async () => {
  client = await createMemoryClient({
    storageName: `lghistory${Date.now()}`,
    inWorker: false,
    embedder: false,
    modelsBaseUrl: process.env.MNEME_MODELS!,
  });
});
afterAll(async () => {
  await client.close();
});

const shape = (messages: BaseMessage[]) => messages.map((message) => ({ type: message.getType(), content: message.content }));

describe('MnemeChatMessageHistory', () => {
  it('keeps a RunnableWithMessageHistory conversation in a Mneme session, one per conversation id', async () => {
    const model = new FakeListChatModel({ responses: ['Hello Ada!', 'You are Ada.', 'Hi, stranger.'] });
    const seen: string[][] = [];
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'You are helpful.'],
      new MessagesPlaceholder('history'),
      ['human', '{input}'],
    ]);
    const chain = prompt
      .pipe((value) => {
        seen.push(value.toChatMessages().map((message) => String(message.content)));
        return value;
      })
      .pipe(model);
    const sessions = new Map<string, string>();
    const withHistory = new RunnableWithMessageHistory({
      runnable: chain,
      getMessageHistory: async (conversation: string) => {
        sessions.set(conversation, sessions.get(conversation) ?? (await client.sessions.create(conversation)).id);
        return new MnemeChatMessageHistory(client, { sessionId: sessions.get(conversation)! });
      },
      inputMessagesKey: 'input',
      historyMessagesKey: 'history',
    });
    const ask = (conversation: string, input: string) =>
      withHistory.invoke({ input }, { configurable: { sessionId: conversation } });

    expect((await ask('one', 'I am Ada')).content).toBe('Hello Ada!');
    expect((await ask('one', 'Who am I?')).content).toBe('You are Ada.');
    expect((await ask('two', 'Hi')).content).toBe('Hi, stranger.');
    expect(seen[1]).toEqual(['You are helpful.', 'I am Ada', 'Hello Ada!', 'Who am I?']);
    expect(seen[2]).toEqual(['You are helpful.', 'Hi']);
    const turns = await client.sessions.turns(sessions.get('one')!);
    expect(turns.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'I am Ada' },
      { role: 'assistant', content: 'Hello Ada!' },
      { role: 'user', content: 'Who am I?' },
      { role: 'assistant', content: 'You are Ada.' },
    ]);
    expect((await client.sessions.get(sessions.get('one')!))?.title).toBe('one');
  });

  it('creates its session on the first message, and clear() deletes it; the next message starts a new one', async () => {
    const history = new MnemeChatMessageHistory(client, { title: 'Trip planning' });
    expect(history.sessionId).toBeUndefined();
    expect(await history.getMessages()).toEqual([]);
    await history.addUserMessage('Plan a trip to Porto');
    await history.addAIMessage('Sure: when?');
    const first = history.sessionId!;
    expect((await client.sessions.get(first))?.title).toBe('Trip planning');
    expect(shape(await history.getMessages())).toEqual([
      { type: 'human', content: 'Plan a trip to Porto' },
      { type: 'ai', content: 'Sure: when?' },
    ]);
    await history.clear();
    expect(await client.sessions.get(first)).toBeUndefined();
    expect(await history.getMessages()).toEqual([]);
    await history.addMessage(new SystemMessage('Be brief'));
    expect(history.sessionId).not.toBe(first);
    expect(shape(await history.getMessages())).toEqual([{ type: 'system', content: 'Be brief' }]);
  });

  it('refuses tool messages, tool calls and blank messages, and stores none of a batch that holds one', async () => {
    const history = new MnemeChatMessageHistory(client);
    await expect(history.addMessage(new ToolMessage({ content: '42', tool_call_id: 'c1' }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const call = new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'add', args: {} }] });
    await expect(history.addMessages([new HumanMessage('add 1 and 2'), call])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(history.addMessages([new HumanMessage('fine'), new AIMessage('  ')])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await history.getMessages()).toEqual([]);
    await history.addMessage(
      new HumanMessage({
        content: [
          { type: 'text', text: 'two ' },
          { type: 'text', text: 'parts' },
        ],
      }),
    );
    expect(shape(await history.getMessages())).toEqual([{ type: 'human', content: 'two parts' }]);
  });
});

describe('MnemeChatMessageHistory against InMemoryChatMessageHistory (random sequences)', () => {
  // Mneme keeps no blank messages (refused, as tested above); any other text reads back as written.
  const text = fc.string({ minLength: 1, maxLength: 12 }).filter((value) => value.trim() !== '');
  const action = fc.oneof(
    fc.record({ op: fc.constant('user' as const), text }),
    fc.record({ op: fc.constant('ai' as const), text }),
    fc.record({ op: fc.constantFrom('human' as const, 'system' as const, 'assistant' as const), text }),
    fc.record({ op: fc.constant('many' as const), texts: fc.array(text, { maxLength: 3 }) }),
    fc.record({ op: fc.constant('clear' as const) }),
    fc.record({ op: fc.constant('read' as const) }),
  );

  it('reads back the same messages after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 10 }), async (actions) => {
        const reference = new InMemoryChatMessageHistory();
        const history = new MnemeChatMessageHistory(client);
        for (const step of actions) {
          for (const target of [reference, history]) {
            if (step.op === 'user') await target.addUserMessage(step.text);
            else if (step.op === 'ai') await target.addAIMessage(step.text);
            else if (step.op === 'human') await target.addMessage(new HumanMessage(step.text));
            else if (step.op === 'system') await target.addMessage(new SystemMessage(step.text));
            else if (step.op === 'assistant') await target.addMessage(new AIMessage(step.text));
            else if (step.op === 'many')
              await target.addMessages(
                step.texts.map((value, index) => (index % 2 ? new AIMessage(value) : new HumanMessage(value))),
              );
            else if (step.op === 'clear') await target.clear();
          }
          // A turn's text is stored trimmed, as the app stores it; otherwise the two read back the same.
          const expected = shape(await reference.getMessages()).map(({ type, content }) => ({
            type,
            content: String(content).trim(),
          }));
          expect(shape(await history.getMessages())).toEqual(expected);
        }
        await history.clear();
      }),
      { numRuns: 30 },
    );
  }, 300_000);
});
