/**
 * `mneme/mem0` the way a user gets it: the packed tarball installed into a Node project in the OS
 * temp dir with only `fake-indexeddb` for storage (the facade has no peer dependency; nothing
 * resolves from this repository). The example (examples/mem0-node/main.mjs) runs there as it is,
 * and a TypeScript file using the facade, and the README's example, type-check against the
 * package's own declarations.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedNodeHost, readmeExample, removeHost, runInHost, typeCheckInHost } from './clean-host';

/** Uses the facade's types; the expected errors prove they are real, not `any`. */
const TYPED = `import { Memory, type Mem0Memory, type Mem0HistoryEntry } from 'mneme/mem0';

const memory = new Memory({ inWorker: false, embedder: false, storageName: 'typed' });
const added = await memory.add([{ role: 'user', content: 'I like tea' }], { user_id: 'u1', infer: false });
const event: 'ADD' | 'UPDATE' | 'DELETE' | 'NONE' = added.results[0]!.event;
const found: Mem0Memory[] = (await memory.search('tea', { userId: 'u1', topK: 3, threshold: 0.1 })).results;
const history: Mem0HistoryEntry[] = await memory.history(found[0]!.id);
const maybe: Mem0Memory | null = await memory.get('nothing');
// @ts-expect-error ids are strings
await memory.add('x', { userId: 1 });
// @ts-expect-error update takes the new text
await memory.update('id', { text: 'x' });
console.log(event, history.length, maybe?.memory);
`;

let host: string | undefined;

beforeAll(async () => {
  const files = { 'typed.ts': TYPED, 'readme.ts': readmeExample('mneme/mem0') };
  host = await packedNodeHost('mem0-node', ['fake-indexeddb'], files);
}, 900_000);

afterAll(() => removeHost(host));

describe('mneme/mem0 from the packed tarball', () => {
  it('runs the example: two users apart, a scored search, an update in the history, null after delete', async () => {
    expect(existsSync(join(host!, 'node_modules/ai'))).toBe(false);
    const lines = (await runInHost(host!, ['main.mjs'])).trim().split('\n');
    expect(lines[0]).toMatch(/^alice: I am vegetarian and I live in Porto \(score \d\.\d\d\)$/);
    expect(lines[1]).toBe('bob: I eat everything except olives');
    expect(lines[2]).toBe('history: ADD I am vegetarian and I live in Porto → UPDATE I am vegan and I live in Porto');
    expect(lines[3]).toBe('after delete: null');
    expect(lines).toHaveLength(4);
  });

  it('type-checks a host file and the README example against the package’s declarations', async () => {
    await expect(typeCheckInHost(host!, ['typed.ts', 'readme.ts'])).resolves.toBe('');
  });
});
