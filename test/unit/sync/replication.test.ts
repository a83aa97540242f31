import memoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { describeSyncContract } from '../../contract/sync.contract';
import { useSyncServer } from '../../support/sync-server';
import { startCuttableProxy, type CuttableProxy } from '../../support/cuttable-proxy';

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
