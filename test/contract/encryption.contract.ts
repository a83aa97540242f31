/** Encryption at rest, run over both clients (Node + fake-indexeddb, Chromium worker + IndexedDB). */
import { describe, expect, it } from 'vitest';
import { MemoryError, type MemoryClientOptions } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { dumpDatabase } from './raw-dump';

const CANARY = 'Zanzibar-canary-7731 is the alarm code';
let counter = 0;

export function describeEncryptionContract(name: string, create: ClientFactory): void {
  describe(`encryption at rest: ${name}`, () => {
    const profile = () => `enc${Date.now()}x${counter++}`;
    const base = (profileId: string): MemoryClientOptions => ({ profileId, embedder: 'local/glove-sif-100d' });

    it('seals text and vectors: a raw dump of the locked profile holds no plaintext', async () => {
      const profileId = profile();
      const client = await create(base(profileId));
      await client.memories.add(CANARY, { metadata: { note: 'Zanzibar-canary-7731' } });
      // A profile entry's id holds its value (`interests:<value>`, `preferences:<key>`): stored under a tag, never in clear.
      await client.profile.update([{ op: 'add', field: 'interests', value: 'Zanzibar before' }]);
      await client.encryption.enable('correct horse battery');
      await client.memories.add('Second Zanzibar-canary-7731 note after enabling');
      await client.profile.update([
        { op: 'add', field: 'goals', value: 'Zanzibar after' },
        { op: 'set', field: 'preferences', key: 'Zanzibar key', value: 'the alarm' },
        { op: 'remove', field: 'interests', value: 'Zanzibar before' },
      ]);
      expect((await client.memories.search('alarm code'))[0]?.item.text).toBe(CANARY);
      const { profile: stored } = await client.profile.get();
      await client.close(); // writes the lexical snapshot, which must be sealed too
      const dump = await dumpDatabase(`mneme-${profileId}`);
      expect(dump).toContain('lexical.snapshot');
      expect(dump).toMatch(/profileFields\n/);
      expect(dump.toLowerCase()).not.toContain('zanzibar');
      expect(dump).not.toContain('alarm');
      expect(stored).toMatchObject({ interests: [], goals: ['Zanzibar after'], preferences: { 'Zanzibar key': 'the alarm' } });
    });

    it('answers LOCKED while locked, rejects a wrong passphrase without harm, and unlocks', async () => {
      const client = await create({ ...base(profile()), encryption: { passphrase: 'first passphrase' } });
      const item = await client.memories.add('The spare key is under the blue pot');
      expect(await client.encryption.status()).toEqual({ enabled: true, locked: false });
      await client.encryption.lock();
      expect(await client.encryption.status()).toEqual({ enabled: true, locked: true });
      const status = await client.status();
      expect(status.memories).toBe(1);
      const locked = await client.memories.search('key').catch((e: unknown) => e);
      expect(locked).toBeInstanceOf(MemoryError);
      expect(locked).toMatchObject({ code: 'LOCKED' });
      await expect(client.memories.get(item.id)).rejects.toMatchObject({ code: 'LOCKED' });
      await expect(client.encryption.unlock('not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
      await client.encryption.unlock('first passphrase');
      const [hit] = await client.memories.search('where is the spare key');
      expect(hit?.item.id).toBe(item.id);
      expect(hit?.explanation.similarity).toBeDefined();
      await client.close();
    });

    it('changes the passphrase (a new data key), and reopens locked without one', async () => {
      const profileId = profile();
      const first = await create({ ...base(profileId), encryption: { passphrase: 'old passphrase' } });
      await first.memories.add('Grandma birthday is on 3 March');
      await first.encryption.changePassphrase('old passphrase', 'new passphrase');
      await first.close();

      const reopened = await create(base(profileId));
      expect((await reopened.status()).encryption).toEqual({ enabled: true, locked: true });
      await expect(reopened.encryption.unlock('old passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
      await reopened.encryption.unlock('new passphrase');
      expect((await reopened.memories.list())[0]?.text).toBe('Grandma birthday is on 3 March');
      await reopened.encryption.disable('new passphrase');
      expect(await reopened.encryption.status()).toEqual({ enabled: false, locked: false });
      await reopened.close();
      expect(await dumpDatabase(`mneme-${profileId}`)).toContain('Grandma birthday');
    });

    it('refuses a passphrase shorter than 12 characters', async () => {
      const client = await create(base(profile()));
      await expect(client.encryption.enable('short')).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
      await client.close();
    });
  });
}
