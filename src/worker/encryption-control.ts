/**
 * The `encryption` API of one profile: turning encryption on and off, locking, unlocking and
 * changing the passphrase. Re-encoding runs under the profile's write lock and is announced to
 * other tabs, which lock or reopen their own view.
 */
import type { EncryptionApi } from '../sdk/client';
import { MemoryError } from '../sdk/errors';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator } from '../storage/tabs';
import { createEnvelope, openEnvelope, rewrapEnvelope } from '../storage/crypto/envelope';
import { codecFor, readEnvelope, reencodeProfile, writeEnvelope } from '../storage/crypto/profile-encryption';

/** What the control needs from the engine that owns the open profile. */
export interface EncryptionHost {
  isOpen(): boolean;
  open(key: CryptoKey | undefined): Promise<void>;
  lock(): void;
  changed(): Promise<void>;
}

export function createEncryptionControl(db: MnemeDatabase, tabs: TabCoordinator, host: EncryptionHost): EncryptionApi {
  const announce = async () => {
    tabs.announce({ type: 'encryption' });
    await host.changed();
  };
  const enabled = async () => (await readEnvelope(db)) !== undefined;
  const requireEnvelope = async () => {
    const envelope = await readEnvelope(db);
    if (!envelope) throw new MemoryError('INVALID_ARGUMENT', 'This profile is not encrypted');
    return envelope;
  };
  return {
    status: async () => {
      const on = await enabled();
      return { enabled: on, locked: on && !host.isOpen() };
    },
    async enable(passphrase) {
      if (await enabled()) throw new MemoryError('INVALID_ARGUMENT', 'This profile is already encrypted');
      const { envelope, key } = await createEnvelope(passphrase);
      await tabs.withWriteLock(() => reencodeProfile(db, codecFor(undefined), codecFor(key), envelope));
      await host.open(key);
      await announce();
    },
    async unlock(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      if (!host.isOpen()) await host.open(key);
      await host.changed();
    },
    async lock() {
      if (!(await enabled())) return;
      host.lock();
      await host.changed();
    },
    async changePassphrase(current, next) {
      const envelope = await rewrapEnvelope(await requireEnvelope(), current, next);
      await tabs.withWriteLock(() => writeEnvelope(db, envelope));
    },
    async disable(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      await tabs.withWriteLock(() => reencodeProfile(db, codecFor(key), codecFor(undefined), undefined));
      await host.open(undefined);
      await announce();
    },
  };
}
