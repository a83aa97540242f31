/**
 * Mneme as LangGraph.js memory: a graph whose long-term memories (the store) and conversation (the
 * chat history) live in a Mneme profile. The first thread teaches, the second recalls through a
 * search of the store. Runs in Node with no network and no model download: an in-memory IndexedDB
 * (fake-indexeddb), keyword search, and LangChain's scripted stand-in for a chat model. In a browser,
 * drop the first import and `createMemoryClient()` runs in a worker with the default embedder.
 */
import 'fake-indexeddb/auto';
import { createMemoryClient } from 'mneme';
import { MnemeChatMessageHistory, MnemeStore } from 'mneme/langgraph';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { FakeListChatModel } from '@langchain/core/utils/testing';

const client = await createMemoryClient({ inWorker: false, embedder: false });
const store = new MnemeStore(client, { fields: ['text'] });
const model = new FakeListChatModel({ responses: ['Noted, Ada!', 'Try a vegetarian tasca near Bolhão.'] });

const State = Annotation.Root({ user: Annotation(), message: Annotation(), reply: Annotation(), recalled: Annotation() });
const graph = new StateGraph(State)
  .addNode('chat', async ({ user, message }, config) => {
    const memories = ['memories', user];
    const recalled = await config.store.search(memories, { query: message, limit: 2 });
    const history = new MnemeChatMessageHistory(client, { title: `${user}: ${message}` });
    const context = recalled.map((item) => item.value.text).join('; ');
    const reply = await model.invoke([...(await history.getMessages()), ['system', `Known: ${context}`], ['human', message]]);
    await history.addUserMessage(message);
    await history.addAIMessage(String(reply.content));
    if (/\bI (live|am|like)\b/.test(message)) {
      await config.store.put(memories, `m${Date.now()}`, { text: message });
    }
    return { reply: String(reply.content), recalled: recalled.map((item) => item.value.text) };
  })
  .addEdge(START, 'chat')
  .addEdge('chat', END)
  .compile({ store });

const first = await graph.invoke({ user: 'ada', message: 'I live in Porto and I am vegetarian' });
console.log(`assistant: ${first.reply}`);
const second = await graph.invoke({ user: 'ada', message: 'Where should a vegetarian eat in Porto tonight?' });
console.log(`recalled: ${second.recalled.join(' | ')}`);
console.log(`assistant: ${second.reply}`);
console.log(`namespaces: ${JSON.stringify(await store.listNamespaces())}`);
console.log(`conversations: ${(await client.sessions.list()).length}`);
await client.close();
