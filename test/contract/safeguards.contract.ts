/**
 * What an encrypted profile guards beyond its ciphertext, over both clients: plaintext leaves it
 * only on purpose (export), it cannot be deleted without its passphrase (or an explicit "I forgot
 * it"), and a new passphrase must resist offline guessing. Plus: a merge import appends audit
 * entries and never replaces the profile's own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, MemoryClient, MemoryClientOptions } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';

const PASSPHRASE = 'amber lanterns over the harbour';
const CANARY = 'Quokka-canary-5120 keeps the spare key';
let counter = 0;

export function describeSafeguardsContract(name: string, create: ClientFactory): void {
  describe(`encrypted profile safeguards: ${name}`, () => {
    const open: MemoryClient[] = [];
    const fresh = async (options: Partial<MemoryClientOptions> = {}) => {
      const client = await create({ profileId: `safe${Date.now()}x${counter++}`, embedder: false, ...options });
      open.push(client);
      return client;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((client) => client.close().catch(() => undefined)));
    });

    it('exports an encrypted profile only sealed, or in clear when asked for by name', async () => {
      const client = await fresh({ encryption: { passphrase: PASSPHRASE } });
      await client.memories.add(CANARY);
      await expect(client.data.export()).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
      await expect(client.data.export({ plaintext: false })).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
      // The file can be attacked offline: its passphrase must be as strong as a profile's.
      await expect(client.data.export({ passphrase: 'short' })).rejects.toMatchObject({ code: 'WEAK_PASSPHRASE' });
      const sealed = await client.data.export({ passphrase: 'a different file passphrase' });
      expect(sealed).not.toContain(CANARY);
      expect(await client.data.export({ plaintext: true })).toContain(CANARY);
      // A plain profile exports as before.
      const plain = await fresh();
      await plain.memories.add(CANARY);
      expect(await plain.data.export()).toContain(CANARY);
    });

    it('deletes an encrypted profile only with its passphrase, or when its owner says they forgot it', async () => {
      const host = await fresh();
      const ids = [`lockedA${Date.now()}x${counter++}`, `lockedB${Date.now()}x${counter++}`];
      for (const id of ids) {
        const other = await create({ profileId: id, embedder: false, encryption: { passphrase: PASSPHRASE } });
        await other.memories.add(CANARY);
        await other.close();
      }
      const listed = async () => (await host.profiles.list()).map((profile) => profile.id);
      await expect(host.profiles.delete(ids[0]!)).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
      await expect(host.profiles.delete(ids[0]!, { passphrase: 'not the right passphrase' })).rejects.toMatchObject({
        code: 'WRONG_PASSPHRASE',
      });
      expect(await listed()).toEqual(expect.arrayContaining(ids));
      // Nothing was deleted: the profile still opens with its memory.
      const still = await create({ profileId: ids[0]!, embedder: false, encryption: { passphrase: PASSPHRASE } });
      expect((await still.memories.list())[0]?.text).toBe(CANARY);
      await still.close();

      await host.profiles.delete(ids[0]!, { passphrase: PASSPHRASE });
      await host.profiles.delete(ids[1]!, { forgotPassphrase: true });
      expect(await listed()).not.toContain(ids[0]);
      expect(await listed()).not.toContain(ids[1]);
    });

    it('refuses a new passphrase that is easy to guess, with WEAK_PASSPHRASE and the reason', async () => {
      const client = await fresh();
      for (const weak of [
        'short',
        'elevenchars',
        'password1234',
        'Password2024!',
        'aaaaaaaaaaaaaaaa',
        'abcdefghijklmn',
        '123456789012',
      ]) {
        const error = await client.encryption.enable(weak).then(
          () => undefined,
          (reason: unknown) => reason,
        );
        expect(error, weak).toMatchObject({
          code: 'WEAK_PASSPHRASE',
          details: { reason: expect.stringMatching(/^(Too short|Weak)/) },
        });
      }
      expect(await client.encryption.status()).toEqual({ enabled: false, locked: false });
      await client.encryption.enable(PASSPHRASE);
      await expect(client.encryption.changePassphrase(PASSPHRASE, 'qwertyuiop12')).rejects.toMatchObject({
        code: 'WEAK_PASSPHRASE',
      });
      // The old passphrase still opens it: nothing changed.
      await client.encryption.lock();
      await client.encryption.unlock(PASSPHRASE);
    });

    it('appends the audit entries a merge import brings, never replacing the profile’s own', async () => {
      const source = await fresh();
      const item = await source.memories.add('Imported memory about the harbour');
      await source.memories.update(item.id, { text: 'Imported memory about the harbour at dawn' });
      const file = await source.data.export();

      const target = await fresh();
      const own = await target.memories.add('Own memory about the lighthouse');
      await target.memories.update(own.id, { text: 'Own memory about the lighthouse at night' });
      const before = await target.memories.history(own.id);
      expect(before.length).toBeGreaterThan(0);

      await target.data.import(file, { mode: 'merge' });
      expect(await target.memories.history(own.id)).toEqual(before);
      const imported = await target.memories.history(item.id);
      const steps = (entries: AuditEntry[]) => entries.map(({ action, at, after }) => ({ action, at, after }));
      expect(steps(imported)).toEqual(steps(await source.memories.history(item.id)));
      expect(imported.length).toBeGreaterThan(1);
      // Importing the same file again adds nothing twice.
      await target.data.import(file, { mode: 'merge' });
      expect(await target.memories.history(own.id)).toEqual(before);
      expect(await target.memories.history(item.id)).toHaveLength(imported.length);
    });
  });
}
