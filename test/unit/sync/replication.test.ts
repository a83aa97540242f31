import memoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { describeSyncContract } from '../../contract/sync.contract';
import { useSyncServer } from '../../support/sync-server';
import { startCuttableProxy, type CuttableProxy } from '../../support/cuttable-proxy';
import { parsePairingCode } from '../../../src/sync/pairing';
import { deriveSyncKeys } from '../../../src/sync/keys';

const server = useSyncServer();

// fake-indexeddb does not keep PouchDB's IndexedDB transactions alive: the replica lives in memory.
const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

describeSyncContract('in-process (Node, fake-indexeddb, pouchdb-server)', create, server);

describe('sync without a network', () => {
  let network: CuttableProxy;
  beforeAll(async () => {
    network = await startCuttableProxy(server());
  });
  afterAll(() => network.close());

  it('says it is offline while the server is unreachable, keeps the changes pending, and catches up', async () => {
    const tag = `offline${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      await a.sync.enable({ url: network.url });
      await b.sync.join(await a.sync.pairingCode());
      await expect.poll(() => a.sync.status().then((s) => s.state)).toBe('idle');
      network.cut();
      const offline = await a.memories.add('written while the network is down');
      await expect.poll(() => a.sync.status().then((s) => s.state)).toBe('offline');
      expect((await a.sync.status()).pending).toBeGreaterThan(0);
      expect((await a.sync.status()).errors[0]?.code).toBe('SYNC_FAILED');
      network.restore();
      await expect.poll(() => b.memories.get(offline.id).then((item) => item?.text)).toBe(offline.text);
      await expect.poll(() => a.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('sync and the profile lock', () => {
  it('stops while the profile is locked and catches up once it is unlocked', async () => {
    const tag = `locked${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      await a.sync.enable({ url: server() });
      await b.sync.join(await a.sync.pairingCode());
      await a.encryption.enable('violet harbour lantern 42');
      await a.encryption.lock();
      const later = await b.memories.add('added while the laptop was locked');
      await expect.poll(() => b.sync.status().then((s) => s.pending)).toBe(0);
      await expect(a.memories.get(later.id)).rejects.toMatchObject({ code: 'LOCKED' });
      await a.encryption.unlock('violet harbour lantern 42');
      await expect.poll(() => a.memories.get(later.id).then((item) => item?.text)).toBe(later.text);
      expect((await a.sync.status()).enabled).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('sync with a server that serves garbage', () => {
  it('reports tampered and foreign documents as SYNC_ENVELOPE_INVALID and writes nothing of them', async () => {
    const tag = `garbage${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      const kept = await a.memories.add('a memory both devices keep');
      await a.sync.enable({ url: server() });
      const code = await a.sync.pairingCode();
      await expect.poll(() => a.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
      // Someone with write access to the server: a new revision of every real document (the
      // memory's, its audit entry's, the settings') with one byte flipped, and a document that was
      // never sealed with this key.
      const database = new URL(`${(await deriveSyncKeys(parsePairingCode(code).syncKey)).database}/`, server());
      const all = (await (await fetch(new URL('_all_docs?include_docs=true', database))).json()) as {
        rows: { doc: { _id: string; _rev: string; box: string } }[];
      };
      const write = (doc: object) =>
        fetch(new URL(encodeURIComponent((doc as { _id: string })._id), database), {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        });
      expect(all.rows.length).toBeGreaterThan(0);
      for (const { doc: real } of all.rows) {
        const flipped = `${real.box.slice(0, 40)}${real.box[40] === 'A' ? 'B' : 'A'}${real.box.slice(41)}`;
        expect((await write({ ...real, box: flipped })).ok).toBe(true);
      }
      expect((await write({ _id: 'dforeign', v: 1, box: 'bm90IGEgc2VhbGVkIGJveA' })).ok).toBe(true);

      await b.sync.join(code);
      await expect
        .poll(() => b.sync.status().then((s) => s.errors.filter((e) => e.code === 'SYNC_ENVELOPE_INVALID').length))
        .toBeGreaterThanOrEqual(2);
      expect(await b.memories.count()).toBe(0);
      // A's own copy is not overwritten by the tampered revision either.
      await expect.poll(() => a.sync.status().then((s) => s.errors.some((e) => e.code === 'SYNC_ENVELOPE_INVALID'))).toBe(true);
      expect((await a.memories.get(kept.id))?.text).toBe(kept.text);
      expect(await a.memories.count()).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
