/** Two clients on one profile behave like two tabs: writes are seen by the other, encryption is followed. */
import { describe, expect, it } from 'vitest';
import type { MemoryClient, MemoryEvent } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { factoryOf } from './raw-dump';

let counter = 0;

function nextEvent(client: MemoryClient, match: (event: MemoryEvent) => boolean): Promise<MemoryEvent> {
  return new Promise((resolve) => {
    const stop = client.subscribe((event) => {
      if (!match(event)) return;
      stop();
      resolve(event);
    });
  });
}

export function describeTabsContract(name: string, create: ClientFactory): void {
  describe(`two tabs on one profile: ${name}`, () => {
    it("sees the other tab's additions, edits and deletions without reopening", async () => {
      const profileId = `tabs${Date.now()}x${counter++}`;
      const options = { profileId, embedder: 'local/glove-sif-100d' };
      const [a, b] = [await create(options), await create(options)];
      try {
        const seenAdd = nextEvent(b, (e) => e.type === 'memories-changed' && e.source === 'other-tab');
        const ownEvent = nextEvent(a, (e) => e.type === 'memories-changed');
        const item = await a.memories.add('Our wedding anniversary is in June');
        expect(await ownEvent).toMatchObject({ source: 'this-client', ids: [item.id] });
        expect(await seenAdd).toMatchObject({ ids: [item.id] });
        const [hit] = await b.memories.search('when is the anniversary');
        expect(hit?.item.id).toBe(item.id);
        expect(hit?.explanation.similarity).toBeDefined();

        const seenDelete = nextEvent(a, (e) => e.type === 'memories-changed' && e.source === 'other-tab');
        await b.memories.delete(item.id);
        await seenDelete;
        expect(await a.memories.get(item.id)).toBeUndefined();
        expect(await a.memories.count()).toBe(0);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('steps aside with RELOAD_REQUIRED when another tab opens a newer schema, instead of blocking it', async () => {
      const profileId = `tabsupgrade${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: false });
      await client.memories.add('written before the upgrade');
      const told = nextEvent(client, (e) => e.type === 'reload-required');
      // A newer app version in another tab opens the database at a higher version (Dexie 99 = IndexedDB 990).
      const factory = await factoryOf(`mneme-${profileId}`);
      const newer = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = factory.open(`mneme-${profileId}`, 990);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error('the upgrade was blocked by the open client'));
      });
      expect(newer.version).toBe(990);
      newer.close();
      expect(await told).toMatchObject({ type: 'reload-required' });
      await expect(client.memories.count()).rejects.toMatchObject({ code: 'RELOAD_REQUIRED' });
      await client.close();
    });

    it('keeps the other tab unlocked and working when one tab compacts the profile (a move to a new bucket)', async () => {
      const profileId = `tabsmove${Date.now()}x${counter++}`;
      const [a, b] = [await create({ profileId, embedder: false }), await create({ profileId, embedder: false })];
      try {
        await a.encryption.enable('a long passphrase');
        await b.encryption.unlock('a long passphrase');
        const first = await a.memories.add('written before the move');
        await expect.poll(() => b.memories.count()).toBe(1);
        await a.memories.delete(first.id);
        await a.memories.add('kept through the move');
        await a.maintenance.compact();
        await expect.poll(async () => (await b.memories.list()).map((m) => m.text)).toEqual(['kept through the move']);
        expect(await b.encryption.status()).toEqual({ enabled: true, locked: false });
        await b.memories.add('written by the other tab after the move');
        await expect.poll(() => a.memories.count()).toBe(2);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('locks the other tab when one tab turns encryption on', async () => {
      const profileId = `tabsenc${Date.now()}x${counter++}`;
      const [a, b] = [await create({ profileId, embedder: false }), await create({ profileId, embedder: false })];
      try {
        await a.memories.add('written before encryption');
        const followed = nextEvent(b, (e) => e.type === 'encryption-changed');
        await a.encryption.enable('a long passphrase');
        expect(await followed).toEqual({ type: 'encryption-changed', status: { enabled: true, locked: true } });
        await expect(b.memories.list()).rejects.toMatchObject({ code: 'LOCKED' });
        await b.encryption.unlock('a long passphrase');
        expect((await b.memories.list()).map((m) => m.text)).toEqual(['written before encryption']);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
