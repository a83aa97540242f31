/**
 * `mneme/ai-sdk` the way a user gets it: the packed tarball and one `ai` major (7, then 6) installed
 * from the registry into a Node project in the OS temp dir (nothing resolves from this repository),
 * with `fake-indexeddb` for storage. The example (examples/ai-sdk-node/main.mjs) runs there as it
 * is, and a TypeScript file using the adapter type-checks against that host's `ai` (the subpath's
 * declarations point at the peer the host installed, not at the `ai` this repository builds with).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  app,
  createNodeHost,
  exampleMain,
  pinned,
  packSdk,
  readmeExample,
  removeHost,
  runInHost,
  typeCheckInHost,
} from './clean-host';
const AI_MAJORS = {
  7: pinned('ai'),
  // Installed here as the alias `ai-v6` (`npm:ai@^6…`); a host has it as plain `ai`.
  6: app.devDependencies['ai-v6']!.replace(/^npm:/, ''),
};

/** Uses the adapter with the host's `ai` types; the expected error proves the types are real, not `any`. */
const TYPED = `import { createMemoryClient } from 'mneme';
import { mnemeMemory, mnemeTools, type MnemeCallOptions } from 'mneme/ai-sdk';
import { generateText, wrapLanguageModel } from 'ai';

declare const base: Parameters<typeof wrapLanguageModel>[0]['model'];
const client = await createMemoryClient({ inWorker: false, embedder: false });
const model = wrapLanguageModel({ model: base, middleware: mnemeMemory(client, { placement: 'system' }) });
const mneme: MnemeCallOptions = { conversationId: 'c1', recall: false, kinds: ['fact'], asOf: Date.now() };
await generateText({ model, tools: mnemeTools(client), prompt: 'Hi', providerOptions: { mneme } });
await generateText({ model, prompt: 'Hi', providerOptions: { mneme: { remember: false } } });
// @ts-expect-error the memory goes into the user message or a system message, nowhere else
mnemeMemory(client, { placement: 'assistant' });
`;

/** The README's example as it is, after what it leaves to the reader: a model, and where the tokens go. */
function readmeWithModel(): string {
  return `declare const yourModel: Parameters<typeof import('ai').wrapLanguageModel>[0]['model'];
declare const output: { append(text: string): void };
${readmeExample('mneme/ai-sdk')}`;
}

const hosts: Partial<Record<keyof typeof AI_MAJORS, string>> = {};

beforeAll(async () => {
  const tarball = await packSdk();
  const files = {
    'main.mjs': exampleMain('ai-sdk-node'),
    'typed.ts': TYPED,
    'readme.ts': readmeWithModel(),
  };
  const fakeIndexedDb = pinned('fake-indexeddb');
  // One after the other: two installs at once would fight over the npm cache on a busy machine.
  for (const [major, ai] of Object.entries(AI_MAJORS)) {
    hosts[major as unknown as keyof typeof AI_MAJORS] = await createNodeHost(tarball, [ai, fakeIndexedDb], files);
  }
}, 900_000);

afterAll(() => {
  for (const host of Object.values(hosts)) removeHost(host);
});

describe.each([7, 6] as const)('mneme/ai-sdk from the packed tarball with ai %i', (major) => {
  it('runs the example: the second conversation is answered from what the first one taught', async () => {
    const host = hosts[major]!;
    const installed = JSON.parse(readFileSync(join(host, 'node_modules/ai/package.json'), 'utf8')) as { version: string };
    expect(installed.version.split('.')[0]).toBe(String(major));
    const output = await runInHost(host, ['main.mjs']);
    const lines = output.trim().split('\n');
    expect(lines[1]).toBe('assistant: Nice to meet you! I will keep that in mind.');
    expect(lines[2]).toBe('remembered: Hi! I live in Porto and I am vegetarian.');
    expect(lines[3]).toBe('user: Where should I have dinner tonight?');
    expect(lines[4]).toMatch(/^assistant: Since you live in Porto/);
  });

  it('type-checks a host file and the README example against the host’s own ai', async () => {
    await expect(typeCheckInHost(hosts[major]!, ['typed.ts', 'readme.ts'])).resolves.toBe('');
  });
});
