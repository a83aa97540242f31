/**
 * `mneme/langgraph` the way a user gets it: the packed tarball, `@langchain/langgraph` and
 * `@langchain/core` (its peers) and `fake-indexeddb` installed from the registry into a Node project
 * in the OS temp dir (nothing resolves from this repository). The example
 * (examples/langgraph-node/main.mjs) runs there as it is, and a TypeScript file using the store and
 * the history, and the README's example, type-check against the package's own declarations and
 * the host's LangChain.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedNodeHost, readmeExample, removeHost, runInHost, typeCheckInHost } from './clean-host';

/** Uses the store and the history as LangChain types; the expected errors prove they are real, not `any`. */
const TYPED = `import { createMemoryClient } from 'mneme';
import { MnemeChatMessageHistory, MnemeStore, type SearchItem } from 'mneme/langgraph';
import type { BaseStore } from '@langchain/langgraph';
import type { BaseChatMessageHistory } from '@langchain/core/chat_history';

const client = await createMemoryClient({ inWorker: false, embedder: false });
const store: BaseStore = new MnemeStore(client, { fields: ['text'] });
const found: SearchItem[] = await store.search(['a'], { query: 'tea', filter: { tag: 'x' }, limit: 2, offset: 1 });
const history: BaseChatMessageHistory = new MnemeChatMessageHistory(client, { sessionId: 's1' });
// @ts-expect-error fields are JSON paths
new MnemeStore(client, { fields: 'text' });
// @ts-expect-error a history is over a client
new MnemeChatMessageHistory({ sessionId: 's1' });
console.log(found.length, await history.getMessages());
`;

/** The README's example as it is, after what it leaves to the reader: a chat model. */
function readmeWithModel(): string {
  return `declare const yourChatModel: import('@langchain/core/language_models/chat_models').BaseChatModel;
${readmeExample('mneme/langgraph')}`;
}

let host: string | undefined;

beforeAll(async () => {
  const files = { 'typed.ts': TYPED, 'readme.ts': readmeWithModel() };
  host = await packedNodeHost('langgraph-node', ['@langchain/langgraph', '@langchain/core', 'fake-indexeddb'], files);
}, 900_000);

afterAll(() => removeHost(host));

describe('mneme/langgraph from the packed tarball', () => {
  it('runs the example: a compiled graph stores a memory and recalls it in the next thread', async () => {
    expect(existsSync(join(host!, 'node_modules/ai'))).toBe(false);
    const lines = (await runInHost(host!, ['main.mjs'])).trim().split('\n');
    expect(lines).toEqual([
      'assistant: Noted, Ada!',
      'recalled: I live in Porto and I am vegetarian',
      'assistant: Try a vegetarian tasca near Bolhão.',
      'namespaces: [["memories","ada"]]',
      'conversations: 2',
    ]);
  });

  it('type-checks a host file and the README example against the package’s declarations', async () => {
    await expect(typeCheckInHost(host!, ['typed.ts', 'readme.ts'])).resolves.toBe('');
  });
});
