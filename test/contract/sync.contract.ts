/**
 * Sync between two devices (two clients with their own storage) through a real CouchDB-compatible
 * server, over both clients: pairing, memories added / edited / deleted on one appearing on the
 * other, concurrent changes converging to the merge rule's result, and a server that holds no
 * plaintext. Each waits for state (a memory present, a status), never a fixed time.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryClient, MemoryItem } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';

let counter = 0;

/** Everything a CouchDB server holds for its databases: every doc, every change, every id. */
export async function serverDump(url: string): Promise<string> {
  const names = (await (await fetch(new URL('_all_dbs', url))).json()) as string[];
  const parts: string[] = [JSON.stringify(names)];
  for (const name of names) {
    const base = new URL(`${encodeURIComponent(name)}/`, url);
    for (const path of ['_all_docs?include_docs=true&conflicts=true', '_changes?include_docs=true&style=all_docs']) {
      parts.push(await (await fetch(new URL(path, base))).text());
    }
  }
  return parts.join('\n');
}

const texts = async (client: MemoryClient) =>
  (await client.memories.list({ limit: 1000 })).map((item: MemoryItem) => item.text).sort();

/** Both devices hold the same memories (same fields, local bookkeeping aside). */
async function stateOf(client: MemoryClient) {
  const items = await client.memories.list({ limit: 1000, order: 'oldest' });
  return items
    .map(({ embeddingModel: _m, lastAccessedAt: _a, ...rest }) => JSON.stringify(rest))
    .sort()
    .join('\n');
}

export function describeSyncContract(name: string, create: ClientFactory, serverUrl: () => string): void {
  describe(`sync: ${name}`, () => {
    const pair = async () => {
      const tag = `sync${Date.now()}x${counter++}`;
      const a = await create({ profileId: `${tag}a`, embedder: false });
      const b = await create({ profileId: `${tag}b`, embedder: false });
      return { a, b };
    };

    it('pairs two devices: what one adds, edits and forgets reaches the other, and the server holds no plaintext', async () => {
      const { a, b } = await pair();
      try {
        const before = await a.memories.add('canary-aurora-1: the user keeps bees on the roof');
        const status = await a.sync.enable({ url: serverUrl() });
        expect(status).toMatchObject({ enabled: true, url: serverUrl() });
        const code = await a.sync.pairingCode();
        expect(code).not.toContain('canary');
        await b.sync.join(code);
        await expect.poll(() => texts(b)).toEqual(['canary-aurora-1: the user keeps bees on the roof']);
        // A merge lands through the memory service: once listed, it is found (no waiting for the indexes).
        expect((await b.memories.search('bees roof'))[0]?.item.id).toBe(before.id);

        const added = await b.memories.add('canary-aurora-2: the user plays the cello on Sundays');
        await expect.poll(() => a.memories.get(added.id).then((item) => item?.text)).toBe(added.text);
        await a.memories.update(added.id, { text: 'canary-aurora-3: the user plays the viola on Sundays' });
        await expect.poll(() => texts(b)).toContain('canary-aurora-3: the user plays the viola on Sundays');
        expect((await b.memories.search('viola Sundays'))[0]?.item.id).toBe(added.id);
        expect((await b.memories.search('cello')).map((found) => found.item.id)).not.toContain(added.id);
        await b.memories.delete(before.id);
        await expect.poll(() => texts(a)).not.toContain('canary-aurora-1: the user keeps bees on the roof');
        expect((await a.memories.search('bees roof')).map((found) => found.item.id)).not.toContain(before.id);
        expect(await a.memories.get(before.id)).toBeUndefined();
        await expect.poll(() => a.sync.status().then((s) => s.pending)).toBe(0);
        await expect.poll(() => b.sync.status().then((s) => s.pending)).toBe(0);
        const history = await a.memories.history(added.id);
        expect(history.at(-1)).toMatchObject({ action: 'update', actor: 'user' });
        expect((await b.sync.status()).mergesApplied).toBeGreaterThan(0);

        const dump = await serverDump(serverUrl());
        expect(dump).toContain('"box"');
        expect(dump.toLowerCase()).not.toContain('canary');
        expect(dump).not.toContain(before.id);
        expect(dump).not.toContain(added.id);
        expect(dump).not.toContain('viola');
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('rejects a malformed pairing code and a second enable with typed errors', async () => {
      const { a, b } = await pair();
      try {
        await expect(b.sync.join('mneme-sync1.nonsense')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await expect(a.sync.enable({ url: 'ftp://example.org/' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect(await a.sync.status()).toMatchObject({ enabled: false, state: 'off' });
        await a.sync.enable({ url: serverUrl() });
        await expect(a.sync.enable({ url: serverUrl() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
        await a.sync.disable();
        expect(await a.sync.status()).toMatchObject({ enabled: false });
        await expect(a.sync.pairingCode()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

export { stateOf };
