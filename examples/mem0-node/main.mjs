/**
 * Code written for mem0's `Memory`, running on Mneme: two users whose memories never meet, search
 * with scores, an update and its history. Runs in Node with no network and no model download:
 * storage is an in-memory IndexedDB (fake-indexeddb) and search is by keywords. In a browser, drop
 * the first import and `new Memory()` runs in a worker with the default embedder.
 */
import 'fake-indexeddb/auto';
import { Memory } from 'mneme/mem0';

const memory = new Memory({ inWorker: false, embedder: false });

// `infer: false` keeps the words as given; with a `chatModel` in the options, `add` extracts facts.
await memory.add('I am vegetarian and I live in Porto', { userId: 'alice', infer: false });
await memory.add('I eat everything except olives', { user_id: 'bob', infer: false });

const found = await memory.search('Where does she live?', { userId: 'alice', topK: 3 });
for (const { memory: text, score } of found.results) console.log(`alice: ${text} (score ${score.toFixed(2)})`);
console.log(`bob: ${(await memory.getAll({ userId: 'bob' })).results.map((item) => item.memory).join(' | ')}`);

const [first] = found.results;
await memory.update(first.id, 'I am vegan and I live in Porto');
const history = await memory.history(first.id);
console.log(`history: ${history.map((row) => `${row.action} ${row.newValue}`).join(' → ')}`);

await memory.delete(first.id);
console.log(`after delete: ${JSON.stringify(await memory.get(first.id))}`);
await memory.close();
