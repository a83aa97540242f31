/**
 * The `encryption` API of one profile: turning encryption on and off, locking, unlocking and
 * changing the passphrase (which rotates the data key). Every re-encoding is a rewrite of the
 * whole profile under its write lock (profile-rewrite.ts); other tabs hear of it and lock or
 * reopen their own view.
 */
import type { EncryptionApi } from '../sdk/client';
import { MemoryError } from '../sdk/errors';
import type { LongCallOptions } from '../sdk/types';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator } from '../storage/tabs';
import { createEnvelope, createRotation, openEnvelope } from '../storage/crypto/envelope';
import { codecFor, readEnvelope, readRotation, writeRotation } from '../storage/crypto/profile-encryption';
import type { Rewriter } from './profile-rewrite';

/** What the control needs from the engine that owns the open profile. */
export interface EncryptionHost {
  db(): MnemeDatabase;
  isOpen(): boolean;
  open(key: CryptoKey | undefined): Promise<void>;
  lock(): void;
  changed(): Promise<void>;
  rewrite: Rewriter;
}

export function createEncryptionControl(tabs: TabCoordinator, host: EncryptionHost): EncryptionApi {
  /** After a rewrite: tabs that were not told of a move hear that encryption changed. */
  const announce = async (moved: boolean) => {
    if (!moved) tabs.announce({ type: 'encryption' });
    await host.changed();
  };
  const enabled = async () => (await readEnvelope(host.db())) !== undefined;
  const requireEnvelope = async () => {
    const envelope = await readEnvelope(host.db());
    if (!envelope) throw new MemoryError('INVALID_ARGUMENT', 'This profile is not encrypted');
    return envelope;
  };
  const rotate = async (current: string, next: string, options: LongCallOptions = {}) => {
    const envelope = await requireEnvelope();
    const rotation = await createRotation(envelope, current, next);
    const oldKey = await openEnvelope(envelope, current);
    const moved = await host.rewrite({
      reason: 'rotate',
      from: codecFor(oldKey),
      to: codecFor(rotation.key),
      envelope: rotation.envelope,
      prepare: (db) => writeRotation(db, rotation),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    // Views holding the old key (this tab's, other tabs') are of no use any more.
    host.lock();
    await host.open(rotation.key);
    await announce(moved);
  };
  return {
    status: async () => {
      const on = await enabled();
      return { enabled: on, locked: on && !host.isOpen() };
    },
    async enable(passphrase) {
      if (await enabled()) throw new MemoryError('INVALID_ARGUMENT', 'This profile is already encrypted');
      const { envelope, key } = await createEnvelope(passphrase);
      const moved = await host.rewrite({ reason: 'encrypt', from: codecFor(undefined), to: codecFor(key), envelope });
      await host.open(key);
      await announce(moved);
    },
    async unlock(passphrase) {
      let key = await openEnvelope(await requireEnvelope(), passphrase);
      const rotation = await readRotation(host.db());
      if (rotation) {
        // A passphrase change or key rotation was cut short (the tab closed): finish it now.
        const next = await openEnvelope(rotation.resume, passphrase);
        const moved = await host.rewrite({
          reason: 'rotate',
          from: codecFor(key),
          to: codecFor(next),
          envelope: rotation.envelope,
          resume: true,
        });
        key = next;
        host.lock();
        await host.open(key);
        await announce(moved);
        return;
      }
      if (!host.isOpen()) await host.open(key);
      await host.changed();
    },
    async lock() {
      if (!(await enabled())) return;
      host.lock();
      await host.changed();
    },
    changePassphrase: (current, next, options) => rotate(current, next, options),
    rotateKey: (passphrase, options) => rotate(passphrase, passphrase, options),
    async disable(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      const moved = await host.rewrite({ reason: 'decrypt', from: codecFor(key), to: codecFor(undefined), envelope: undefined });
      await host.open(undefined);
      await announce(moved);
    },
  };
}
