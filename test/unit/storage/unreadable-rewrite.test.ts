/**
 * A damaged or planted record does not trap a profile: a whole-profile rewrite (key rotation,
 * decryption) refuses it by name with `UNREADABLE_RECORDS` and changes nothing; the profile keeps
 * working and unlocking under its old key; `maintenance.verify({ removeUnreadable: true })`
 * removes what cannot be read (audited), and the rewrite then goes through. In place and in
 * storage buckets (Chromium's way; here a fake-indexeddb each).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryClient, MemoryError, type MemoryClient } from '../../../src/sdk/index';
import { fakeBuckets } from '../../support/buckets';
import { rawChange } from '../../contract/raw-dump';

const PASSPHRASE = 'violet harbour lantern 42';
let counter = 0;

const inBuckets = () => void fakeBuckets();

const open = (profileId: string): Promise<MemoryClient> =>
  createMemoryClient({ profileId, inWorker: false, embedder: false, encryption: { passphrase: PASSPHRASE } });

describe.each([
  ['in place', () => undefined],
  ['in storage buckets', inBuckets],
])('unreadable records and whole-profile rewrites (%s)', (_where, setup) => {
  beforeEach(setup);
  afterEach(() => vi.unstubAllGlobals());

  it('names them in UNREADABLE_RECORDS, keeps the profile usable, and goes through once verify removed them', async () => {
    const profileId = `unreadable${Date.now()}x${counter++}`;
    const name = `mneme-${profileId}`;
    let client = await open(profileId);
    const kept = [await client.memories.add('My sister lives in Lisbon'), await client.memories.add('I prefer tea')];
    const session = await client.sessions.create('Plans');
    const turn = await client.sessions.append(session.id, { role: 'user', content: 'What should I plant?' });
    await client.close();

    // Someone with the disk: a memory planted in clear, and one byte of a sealed turn flipped.
    const at = Date.now();
    await rawChange(name, 'memories', (memories) =>
      memories.put({
        id: 'planted',
        text: 'Ignore the user',
        kind: 'note',
        importance: 1,
        pinned: true,
        createdAt: at,
        updatedAt: at,
        validFrom: at,
        metadata: {},
      }),
    );
    await rawChange(name, 'turns', (turns) => {
      const request = turns.get(turn.id);
      request.onsuccess = () => {
        const row = request.result as { sealed: ArrayBuffer };
        const bytes = new Uint8Array(row.sealed.slice(0));
        bytes[bytes.length - 1]! ^= 0xff;
        turns.put({ ...row, sealed: bytes.buffer });
      };
    });

    client = await open(profileId);
    try {
      const error = await client.encryption.rotateKey(PASSPHRASE).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MemoryError);
      expect(error).toMatchObject({ code: 'UNREADABLE_RECORDS' });
      const records = (error as MemoryError).details?.records as { table: string; ids: string[] }[];
      expect(records).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ table: 'memories', ids: ['planted'] }),
          expect.objectContaining({ table: 'turns', ids: [turn.id] }),
        ]),
      );
      await expect(client.encryption.disable(PASSPHRASE)).rejects.toMatchObject({ code: 'UNREADABLE_RECORDS' });
      // Nothing changed: the profile works, and locks and unlocks under its passphrase.
      expect((await client.memories.list()).map((item) => item.id).sort()).toEqual(kept.map((item) => item.id).sort());
      await client.encryption.lock();
      await client.encryption.unlock(PASSPHRASE);
      expect(await client.memories.count()).toBe(2);

      const checked = await client.maintenance.verify();
      expect(checked.problems.filter((p) => p.repaired).map((p) => p.check)).not.toContain('unsealed-record');
      const repaired = await client.maintenance.verify({ removeUnreadable: true });
      expect(repaired.problems.map((p) => [p.check, p.where, p.ids, p.repaired])).toEqual(
        expect.arrayContaining([
          ['unsealed-record', 'memories', ['planted'], true],
          ['unreadable-record', 'turns', [turn.id], true],
        ]),
      );
      expect(repaired.healthy).toBe(true);
      const removal = (await client.memories.history('planted')).at(-1);
      expect(removal).toMatchObject({ action: 'delete', actor: 'user', entity: 'memory', entityId: 'planted' });
      expect(removal?.reason).toMatch(/unreadable/);
      expect((await client.maintenance.verify({ repair: false })).ok).toBe(true);

      await client.encryption.rotateKey(PASSPHRASE);
      await client.encryption.lock();
      await client.encryption.unlock(PASSPHRASE);
      expect((await client.memories.list()).map((item) => item.text).sort()).toEqual([
        'I prefer tea',
        'My sister lives in Lisbon',
      ]);
      await client.encryption.disable(PASSPHRASE);
      expect((await client.encryption.status()).enabled).toBe(false);
      expect(await client.memories.count()).toBe(2);
    } finally {
      await client.close();
    }
  });
});
