/**
 * Forgetting and wiping across devices, through a real pouchdb-server: a memory the user forgets
 * on one device leaves no text in any version the server holds (opened with the sync key, every
 * document, audit entries included), and a wipe on one device empties the other.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { MemoryClient, MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { useSyncServer } from '../../support/sync-server';
import { parsePairingCode } from '../../../src/sync/pairing';
import { deriveSyncKeys } from '../../../src/sync/keys';
import { open } from '../../../src/sync/envelope';

const server = useSyncServer();

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

const settled = async (client: MemoryClient) => {
  const status = await client.sync.status();
  return status.state === 'idle' && status.pending === 0;
};

/** Every document the server holds for this sync key, opened: what any device could read back. */
async function openedServerDocs(code: string): Promise<string> {
  const keys = await deriveSyncKeys(parsePairingCode(code).syncKey);
  const database = new URL(`${keys.database}/`, server());
  const all = (await (await fetch(new URL('_all_docs?include_docs=true', database))).json()) as { rows: { doc: object }[] };
  const bodies = await Promise.all(all.rows.map((row) => open(keys, row.doc)));
  return JSON.stringify(bodies);
}

describe('forget and wipe across devices', () => {
  it('a forgotten memory leaves no text in any version on the server, its edits on the other device included', async () => {
    const tag = `forget${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      const secret = await a.memories.add('canary-moth-1: the user is seeing a cardiologist');
      const kept = await a.memories.add('the user likes rain');
      await a.sync.enable({ url: server() });
      const code = await a.sync.pairingCode();
      await b.sync.join(code);
      await expect.poll(() => b.memories.get(secret.id).then((item) => item?.text)).toBe(secret.text);
      // B edits it: B now holds a version of its own, and an audit entry with both texts.
      await b.memories.update(secret.id, { text: 'canary-moth-2: the user sees a cardiologist monthly' });
      await expect.poll(() => a.memories.get(secret.id).then((item) => item?.text)).toContain('canary-moth-2');
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);
      expect(await openedServerDocs(code)).toContain('canary-moth-2');

      await a.memories.delete(secret.id);
      await expect.poll(() => b.memories.get(secret.id)).toBeUndefined();
      await expect.poll(() => openedServerDocs(code)).not.toContain('canary-moth');
      const opened = await openedServerDocs(code);
      expect(opened).not.toContain('cardiologist');
      expect(opened).toContain(kept.text);
      expect(JSON.stringify(await b.memories.audit())).not.toContain('cardiologist');
      expect(JSON.stringify(await a.memories.audit())).not.toContain('cardiologist');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a wipe on one device empties the other: memories, conversations, profile, episodes', async () => {
    const tag = `wipe${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      await a.memories.add('the user keeps bees');
      const talk = await a.sessions.create('bees');
      await a.sessions.append(talk.id, { role: 'user', content: 'how many hives?' });
      await a.profile.update([{ op: 'set', field: 'name', value: 'Ada' }]);
      await a.episodes.startTask('count the hives');
      await a.sync.enable({ url: server() });
      await b.sync.join(await a.sync.pairingCode());
      // The episode is a memory too.
      await expect.poll(() => b.memories.count()).toBe(2);
      await expect.poll(() => b.sessions.list().then((all) => all.length)).toBe(1);
      await expect.poll(() => b.episodes.list().then((all) => all.length)).toBe(1);
      await expect.poll(() => b.profile.get().then(({ profile }) => profile.name)).toBe('Ada');

      await b.data.wipe();
      expect((await b.sync.status()).enabled).toBe(true);
      await expect.poll(() => a.memories.count()).toBe(0);
      await expect.poll(() => a.sessions.list()).toEqual([]);
      await expect.poll(() => a.episodes.list()).toEqual([]);
      await expect.poll(() => a.profile.get().then(({ entries }) => entries)).toEqual([]);
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);
      expect(await b.memories.count()).toBe(0);
      expect(await b.sessions.list()).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("after a forget each device's audit trail of the memory is the same, its own merges' entries staying local", async () => {
    const tag = `forgetaudit${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    // What a device holds of the memory's trail that came from the synced trail (a merge made here says so).
    const synced = async (client: MemoryClient, id: string) =>
      (await client.memories.history(id))
        .filter((entry) => entry.reason !== 'synced from another device')
        .map((entry) => `${entry.at} ${entry.action} ${entry.actor}`)
        .sort();
    try {
      const item = await a.memories.add('the user hides a spare key under the mat');
      await a.sync.enable({ url: server() });
      await b.sync.join(await a.sync.pairingCode());
      await expect.poll(() => b.memories.get(item.id).then((found) => found?.text)).toBe(item.text);
      await b.memories.update(item.id, { text: 'the spare key is under the flowerpot' });
      await expect.poll(() => a.memories.get(item.id).then((found) => found?.text)).toContain('flowerpot');
      // The forget redacts every entry of the memory on both devices, the entries of their own merges included.
      await a.memories.delete(item.id);
      await expect.poll(() => b.memories.get(item.id)).toBeUndefined();
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);
      await expect.poll(async () => JSON.stringify(await synced(a, item.id))).toBe(JSON.stringify(await synced(b, item.id)));
      // One creation, A's: B's merge of it stays B's own (before the fix A got it too, as a second creation).
      for (const client of [a, b])
        expect((await synced(client, item.id)).filter((entry) => entry.includes(' create '))).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
