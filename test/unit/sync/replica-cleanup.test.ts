/**
 * The local sync replica (sealed documents) lives outside the profile's database: `sync.disable`
 * destroys it even while the profile is locked (sync not running), and deleting the profile does too.
 */
import PouchDB from 'pouchdb-core';
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();
const PASSPHRASE = 'violet harbour lantern 42';
PouchDB.plugin(memoryAdapter);

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

/** How many documents the replica of profile `profileId` holds (0 once destroyed). */
async function replicaDocs(profileId: string): Promise<number> {
  const replica = new PouchDB(`mneme-${profileId}-sync`, { adapter: 'memory' });
  try {
    return (await replica.info()).doc_count;
  } finally {
    await replica.close();
  }
}

describe('the local sync replica', () => {
  it('is destroyed by sync.disable while the profile is locked', async () => {
    const profileId = `replicalocked${Date.now()}`;
    const client = await create({ profileId, embedder: false });
    try {
      await client.memories.add('a memory that reaches the replica');
      await client.sync.enable({ url: server() });
      await expect.poll(() => client.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
      await client.encryption.enable(PASSPHRASE);
      await client.encryption.lock();
      expect(await replicaDocs(profileId)).toBeGreaterThan(0);
      await client.sync.disable();
      expect(await replicaDocs(profileId)).toBe(0);
      await client.encryption.unlock(PASSPHRASE);
      expect((await client.sync.status()).enabled).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('is destroyed with its profile', async () => {
    const tag = `replicadelete${Date.now()}`;
    const synced = await create({ profileId: `${tag}a`, embedder: false });
    await synced.memories.add('a memory that reaches the replica');
    await synced.sync.enable({ url: server() });
    await expect.poll(() => synced.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
    await synced.close();
    expect(await replicaDocs(`${tag}a`)).toBeGreaterThan(0);
    const other = await create({ profileId: `${tag}b`, embedder: false });
    try {
      await other.profiles.delete(`${tag}a`);
      expect(await replicaDocs(`${tag}a`)).toBe(0);
    } finally {
      await other.close();
    }
  });
});
