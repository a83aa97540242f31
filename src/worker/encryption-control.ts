/**
 * The `encryption` API of one profile: turning encryption on and off, locking, unlocking and
 * changing the passphrase. Re-encoding runs under the profile's write lock and is announced to
 * other tabs, which lock or reopen their own view; a lock reaches every tab of the profile.
 * A profile sealed in format 1 (before derived keys and associated data) is re-encoded in
 * format 2 when it is unlocked.
 */
import type { EncryptionApi } from '../sdk/client';
import { MemoryError } from '../sdk/errors';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator, TabMessage } from '../storage/tabs';
import type { DataKey } from '../storage/crypto/cipher';
import { createEnvelope, openEnvelope, rewrapEnvelope, type KeyEnvelope } from '../storage/crypto/envelope';
import { codecFor, readEnvelope, reencodeProfile, writeEnvelope } from '../storage/crypto/profile-encryption';
import { MARKER_KEY, sealStateOf } from '../storage/crypto/write-guard';

/** What the control needs from the engine that owns the open profile. */
export interface EncryptionHost {
  isOpen(): boolean;
  /** The key of the open view (undefined when plain or locked). */
  key(): DataKey | undefined;
  open(key: DataKey | undefined): Promise<void>;
  lock(): void;
  changed(): Promise<void>;
}

export type EncryptionControl = EncryptionApi & {
  /** Another tab locked, or turned encryption on or off, or re-encoded the profile. */
  follow(message: Extract<TabMessage, { type: 'lock' | 'encryption' }>): Promise<void>;
};

export function createEncryptionControl(db: MnemeDatabase, tabs: TabCoordinator, host: EncryptionHost): EncryptionControl {
  const announce = async () => {
    tabs.announce({ type: 'encryption' });
    await host.changed();
  };
  /** 0 when plain, else the sealing format; the marker keeps a profile sealed if its envelope was deleted. */
  const sealState = async () => sealStateOf(await readEnvelope(db), (await db.settings.get(MARKER_KEY))?.value);
  const enabled = async () => (await sealState()) !== 0;
  const requireEnvelope = async () => {
    const envelope = await readEnvelope(db);
    if (envelope) return envelope;
    if (await enabled()) {
      throw new MemoryError(
        'STORAGE_FAILED',
        'The key envelope of this encrypted profile is missing (deleted or altered): it cannot be unlocked',
      );
    }
    throw new MemoryError('INVALID_ARGUMENT', 'This profile is not encrypted');
  };
  /** Re-encodes a format-1 profile in format 2 (one transaction); on any failure it stays in format 1. */
  const upgrade = async (key: DataKey): Promise<DataKey> => {
    const next: DataKey = { ...key, format: 2 };
    try {
      const upgraded = await tabs.withWriteLock(async () => {
        const current = await readEnvelope(db);
        if (!current || current.format === 2) return current?.format === 2;
        const envelope: KeyEnvelope = { ...current, format: 2 };
        await reencodeProfile(db, codecFor(key), codecFor(next), envelope);
        return true;
      });
      if (!upgraded) return key;
      tabs.announce({ type: 'encryption' });
      return next;
    } catch {
      return key; // a record that does not open keeps the profile in format 1; verify reports it
    }
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
      let key = await openEnvelope(await requireEnvelope(), passphrase);
      if (key.format === 1) key = await upgrade(key);
      if (!host.isOpen() || host.key()?.format !== key.format) await host.open(key);
      await host.changed();
    },
    async lock() {
      if (!(await enabled())) return;
      host.lock();
      tabs.announce({ type: 'lock' });
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
    async follow(message) {
      const state = await sealState();
      const key = host.key();
      if (state !== 0 && host.isOpen() && (message.type === 'lock' || !key)) host.lock();
      else if (state !== 0 && host.isOpen() && key && key.format !== state) await host.open({ ...key, format: state });
      else if (state === 0 && (!host.isOpen() || key)) await host.open(undefined);
      await host.changed();
    },
  };
}
