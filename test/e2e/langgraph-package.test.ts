/**
 * `mneme/langgraph` the way a user gets it: the packed tarball, `@langchain/langgraph` and
 * `@langchain/core` (its peers) and `fake-indexeddb` installed from the registry into a Node project
 * in the OS temp dir (nothing resolves from this repository). The example
 * (examples/langgraph-node/main.mjs) runs there as it is, and a TypeScript file using the store and
 * the history, and the README's example, type-check against the package's own declarations and
 * the host's LangChain.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHost, readmeCode, removeHost, runInHost } from './clean-host';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

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
function readmeExample(): string {
  const example = readmeCode('ts').find((code) => code.includes('mneme/langgraph'));
  if (!example) throw new Error('The README has lost its mneme/langgraph example');
  return `declare const yourChatModel: import('@langchain/core/language_models/chat_models').BaseChatModel;
${example}`;
}

let host: string | undefined;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(root, 'scripts/pack-sdk.mjs')], { maxBuffer: 16 * 1024 * 1024 });
  const files = {
    'main.mjs': readFileSync(join(root, 'examples/langgraph-node/main.mjs'), 'utf8'),
    'typed.ts': TYPED,
    'readme.ts': readmeExample(),
  };
  const packages = ['@langchain/langgraph', '@langchain/core', 'fake-indexeddb'].map(
    (name) => `${name}@${app.devDependencies[name]!}`,
  );
  host = await createNodeHost(join(root, `lib/mneme-${app.version}.tgz`), packages, files);
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
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--module', 'esnext', '--moduleResolution', 'bundler', '--target', 'es2022'];
    await expect(
      runInHost(host!, [tsc, ...flags, '--lib', 'es2023,dom', '--skipLibCheck', 'typed.ts', 'readme.ts']),
    ).resolves.toBe('');
  });
});
