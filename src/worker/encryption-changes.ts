/**
 * The changes of a profile's encryption (see encryption-control.ts): turning it on and off,
 * unlocking, changing the passphrase and rotating the key, with the key derivation, the passphrase
 * rules (envelope.ts) and the sealed codec they need. Loaded with the first such call, so an
 * unencrypted profile opens and searches without them; `status`, `lock` and what other tabs
 * announce stay in the control.
 */
import { isMemoryError, MemoryError } from '../sdk/errors';
import type { EncryptionApi } from '../sdk/client';
import type { LongCallOptions } from '../sdk/types';
import { CURRENT_FORMAT, type DataKey } from '../storage/crypto/cipher';
import { createEnvelope, createRotation, openEnvelope, type KeyEnvelope } from '../storage/crypto/envelope';
import { clearRotation, readEnvelope, readRotation, writeRotation } from '../storage/crypto/profile-encryption';
import { codecFor } from '../storage/crypto/sealed-codec';
import type { EncryptionCore } from './encryption-control';

export type EncryptionChanges = Pick<EncryptionApi, 'enable' | 'unlock' | 'changePassphrase' | 'rotateKey' | 'disable'>;

export function createEncryptionChanges({ tabs, host, enabled, holding, announce }: EncryptionCore): EncryptionChanges {
  const requireEnvelope = async () => {
    const envelope = await readEnvelope(host.db());
    if (envelope) return envelope;
    if (await enabled()) {
      throw new MemoryError(
        'STORAGE_FAILED',
        'The key envelope of this encrypted profile is missing (deleted or altered): it cannot be unlocked',
      );
    }
    throw new MemoryError('INVALID_ARGUMENT', 'This profile is not encrypted');
  };
  /** Re-encodes a profile of an older format in the current one (a rewrite); on any failure it stays as it was. */
  const upgrade = async (key: DataKey): Promise<DataKey> => {
    const next: DataKey = { ...key, format: CURRENT_FORMAT };
    try {
      const current = await readEnvelope(host.db());
      if (!current || current.format === CURRENT_FORMAT) return current?.format === CURRENT_FORMAT ? next : key;
      const envelope: KeyEnvelope = { ...current, format: CURRENT_FORMAT };
      const moved = await host.rewrite({ reason: 'rotate', from: codecFor(key), to: codecFor(next), envelope });
      if (!moved) tabs.announce({ type: 'encryption' });
      return next;
    } catch {
      return key; // a record that does not open keeps the profile in format 1; verify reports it
    }
  };
  /** After a new data key: views holding the old one (this tab's, other tabs') are of no use any more. */
  const rekey = async (key: DataKey) => {
    host.lock();
    await host.open(key);
  };
  /** A move already told other tabs the key changed; in place, they lock and ask for the passphrase. */
  const rekeyed = async (moved: boolean) => {
    if (!moved) tabs.announce({ type: 'lock' });
    await host.changed();
  };
  /**
   * A rotation refused for unreadable records keeps the old key: no rotation is left to finish at
   * the next unlock (it would be refused again, and the profile could not be unlocked to repair it).
   */
  const refused = async (error: unknown): Promise<never> => {
    if (isMemoryError(error, 'UNREADABLE_RECORDS')) await clearRotation(host.db());
    throw error;
  };
  const rotate = async (current: string, next: string, options: LongCallOptions = {}) => {
    const envelope = await requireEnvelope();
    const rotation = await createRotation(envelope, current, next);
    const oldKey = await openEnvelope(envelope, current);
    const moved = await holding(async () => {
      const done = await host
        .rewrite({
          reason: 'rotate',
          from: codecFor(oldKey),
          to: codecFor(rotation.key),
          envelope: rotation.envelope,
          prepare: (db) => writeRotation(db, rotation),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        })
        .catch(refused);
      await rekey(rotation.key);
      return done;
    });
    await rekeyed(moved);
  };
  return {
    async enable(passphrase) {
      if (await enabled()) throw new MemoryError('INVALID_ARGUMENT', 'This profile is already encrypted');
      const { envelope, key } = await createEnvelope(passphrase);
      const moved = await holding(async () => {
        const done = await host.rewrite({ reason: 'encrypt', from: codecFor(undefined), to: codecFor(key), envelope });
        await host.open(key);
        return done;
      });
      await announce(moved);
    },
    async unlock(passphrase) {
      let key = await openEnvelope(await requireEnvelope(), passphrase);
      const rotation = await readRotation(host.db());
      if (rotation) {
        // A passphrase change or key rotation was cut short (the tab closed): finish it now.
        const next = await openEnvelope(rotation.resume, passphrase);
        const moved = await holding(async () => {
          const done = await host
            .rewrite({ reason: 'rotate', from: codecFor(key), to: codecFor(next), envelope: rotation.envelope, resume: true })
            .catch(async (error: unknown) => {
              // Records it cannot read: the profile opens under its old key, for `verify` to remove them.
              if (!isMemoryError(error, 'UNREADABLE_RECORDS')) throw error;
              await clearRotation(host.db());
              return undefined;
            });
          if (done !== undefined) await rekey(next);
          return done;
        });
        if (moved !== undefined) {
          await rekeyed(moved);
          return;
        }
      }
      if (key.format !== CURRENT_FORMAT) key = await upgrade(key);
      if (!host.isOpen() || host.key()?.format !== key.format) await host.open(key);
      await host.changed();
    },
    changePassphrase: (current, next, options) => rotate(current, next, options),
    rotateKey: (passphrase, options) => rotate(passphrase, passphrase, options),
    async disable(passphrase) {
      const key = await openEnvelope(await requireEnvelope(), passphrase);
      const moved = await holding(async () => {
        const done = await host.rewrite({ reason: 'decrypt', from: codecFor(key), to: codecFor(undefined), envelope: undefined });
        await host.open(undefined);
        return done;
      });
      await announce(moved);
    },
  };
}
