/** Two clients on one profile behave like two tabs: writes are seen by the other, encryption is followed. */
import { describe, expect, it } from 'vitest';
import type { ClientFactory } from './client.contract';
import { nextEvent } from './events';
import { factoryOf } from './raw-dump';

let counter = 0;

/** Every row of a store, read straight from IndexedDB (what an attacker with the disk sees), in its storage bucket if any. */
async function rawRows(database: string, store: string): Promise<Record<string, unknown>[]> {
  const factory = await factoryOf(database);
  return new Promise((resolve, reject) => {
    const request = factory.open(database);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const read = request.result.transaction(store).objectStore(store).getAll();
      read.onsuccess = () => {
        request.result.close();
        resolve(read.result as Record<string, unknown>[]);
      };
      read.onerror = () => reject(read.error);
    };
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
        // A bulk addition's vectors travel packed together: each arrives as its own memory's.
        const seenMany = nextEvent(b, (e) => e.type === 'memories-changed' && e.source === 'other-tab');
        const many = await a.memories.addMany([
          { text: 'The kayak is stored in the garage' },
          { text: 'Grandma bakes plum cake' },
        ]);
        await seenMany;
        for (const [query, added] of [
          ['kayak garage', many[0]],
          ['plum cake', many[1]],
        ] as const) {
          const [found] = await b.memories.search(query, { limit: 1 });
          expect(found?.item.id).toBe(added!.id);
          expect(found?.explanation.similarity).toBeGreaterThan(0.5);
        }
        const seenGone = nextEvent(a, (e) => e.type === 'memories-changed' && e.ids.includes(many[1]!.id));
        await b.memories.delete(many[0]!.id);
        await b.memories.delete(many[1]!.id);
        await seenGone;

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

    it('locks the other tab when one tab changes the passphrase (its key is stale), which then opens with the new one', async () => {
      const profileId = `tabsrotate${Date.now()}x${counter++}`;
      const encryption = { passphrase: 'violet harbour lantern 42' };
      const a = await create({ profileId, embedder: false, encryption });
      const b = await create({ profileId, embedder: false, encryption });
      try {
        await a.memories.add('The spare key is under the blue pot');
        await expect.poll(() => b.memories.count()).toBe(1);
        const followed = nextEvent(b, (e) => e.type === 'encryption-changed' && e.status.locked);
        await a.encryption.changePassphrase('violet harbour lantern 42', 'amber meadow compass 17');
        expect(await followed).toEqual({ type: 'encryption-changed', status: { enabled: true, locked: true } });
        await expect(b.memories.list()).rejects.toMatchObject({ code: 'LOCKED' });
        await expect(b.encryption.unlock('violet harbour lantern 42')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
        await b.encryption.unlock('amber meadow compass 17');
        expect((await b.memories.list()).map((m) => m.text)).toEqual(['The spare key is under the blue pot']);
        expect((await a.memories.list()).map((m) => m.text)).toEqual(['The spare key is under the blue pot']);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('locks every tab when one tab locks: the other can read nothing decrypted and says it is locked', async () => {
      const profileId = `tabslock${Date.now()}x${counter++}`;
      const encryption = { passphrase: 'a long passphrase' };
      const a = await create({ profileId, embedder: false, encryption });
      const b = await create({ profileId, embedder: false, encryption });
      try {
        await a.memories.add('My bank PIN hint is my first dog');
        expect((await b.memories.list()).map((m) => m.text)).toEqual(['My bank PIN hint is my first dog']);
        const followed = nextEvent(b, (e) => e.type === 'encryption-changed');
        await a.encryption.lock();
        expect(await followed).toEqual({ type: 'encryption-changed', status: { enabled: true, locked: true } });
        expect((await b.status()).encryption).toEqual({ enabled: true, locked: true });
        await expect(b.memories.list()).rejects.toMatchObject({ code: 'LOCKED' });
        await expect(b.context.build('bank')).rejects.toMatchObject({ code: 'LOCKED' });
        await expect(b.memories.add('written after the lock')).rejects.toMatchObject({ code: 'LOCKED' });
        await b.encryption.unlock('a long passphrase');
        expect(await b.memories.count()).toBe(1);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('lets no plaintext row land while another tab turns encryption on', async () => {
      const profileId = `tabsrace${Date.now()}x${counter++}`;
      const [a, b] = [await create({ profileId, embedder: false }), await create({ profileId, embedder: false })];
      try {
        let enabled = false;
        const followed = nextEvent(b, (e) => e.type === 'encryption-changed');
        let heard = false;
        void followed.then(() => (heard = true));
        // B keeps writing as a plain client until it has heard of the change, and a little after.
        const writer = (async () => {
          const outcomes: string[] = [];
          for (let i = 0; i < 200; i++) {
            outcomes.push(
              await b.memories.add(`plain write ${i}`).then(
                () => (enabled ? 'stored-after' : 'stored-before'),
                (error: { code?: string }) => error.code ?? 'error',
              ),
            );
            if (heard) break;
          }
          return outcomes;
        })();
        await b.memories.add('a write before the change');
        await a.encryption.enable('a long passphrase');
        enabled = true;
        const outcomes = await writer;
        expect(outcomes.every((outcome) => ['stored-before', 'stored-after', 'LOCKED'].includes(outcome))).toBe(true);

        const rows = await rawRows(`mneme-${profileId}`, 'memories');
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.filter((row) => !(row.sealed instanceof ArrayBuffer))).toEqual([]);
        await b.encryption.unlock('a long passphrase');
        // Every row opens (all sealed with the key), and every write B was told had succeeded is there.
        expect(await b.memories.count()).toBe(rows.length);
        expect(rows.length).toBe(1 + outcomes.filter((outcome) => outcome.startsWith('stored')).length);
        expect((await b.maintenance.verify()).ok).toBe(true);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
