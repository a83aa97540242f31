/**
 * The `encryption` API of one profile: turning encryption on and off, locking, unlocking and
 * changing the passphrase (which rotates the data key). Every re-encoding is a rewrite of the
 * whole profile under its write lock (profile-rewrite.ts); other tabs hear of it and lock or
 * reopen their own view, and a lock reaches every tab of the profile. A profile sealed in an older
 * format (1: before derived keys and associated data; 2: before padded lengths and sealed turn roles,
 * audit actors and actions, sync settings) is re-encoded in the current one when it is unlocked.
 */
import type { EncryptionApi } from '../sdk/client';
import { MemoryError } from '../sdk/errors';
import type { EncryptionStatus, LongCallOptions } from '../sdk/types';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator, TabMessage } from '../storage/tabs';
import { CURRENT_FORMAT, type DataKey } from '../storage/crypto/cipher';
import type { KeyEnvelope } from '../storage/crypto/envelope';
import { clearRotation, codecFor, readEnvelope, readRotation, writeRotation } from '../storage/crypto/profile-encryption';
import { isMemoryError } from '../sdk/errors';
import { MARKER_KEY, sealStateOf } from '../storage/crypto/write-guard';
import type { Rewriter } from './profile-rewrite';

/** What the control needs from the engine that owns the open profile. */
export interface EncryptionHost {
  /** The profile's database now (it moves when the profile is rewritten). */
  db(): MnemeDatabase;
  isOpen(): boolean;
  /** The key of the open view (undefined when plain or locked). */
  key(): DataKey | undefined;
  open(key: DataKey | undefined): Promise<void>;
  lock(): void;
  changed(): Promise<void>;
  rewrite: Rewriter;
  /** Another tab moved the profile: open its database where it is now (the old copy is not read). */
  relocated(): Promise<void>;
}

export type EncryptionControl = EncryptionApi & {
  /** Another tab locked, turned encryption on or off, re-encoded or moved the profile. */
  follow(message: Extract<TabMessage, { type: 'lock' | 'encryption' | 'relocated' }>): Promise<void>;
};

export function createEncryptionControl(tabs: TabCoordinator, host: EncryptionHost): EncryptionControl {
  /** After a rewrite: tabs that were not told of a move hear that encryption changed. */
  const announce = async (moved: boolean) => {
    if (!moved) tabs.announce({ type: 'encryption' });
    await host.changed();
  };
  /** 0 when plain, else the sealing format; the marker keeps a profile sealed if its envelope was deleted. */
  const sealState = async () => {
    const db = host.db();
    return sealStateOf(await readEnvelope(db), (await db.settings.get(MARKER_KEY))?.value);
  };
  const enabled = async () => (await sealState()) !== 0;
  const current = async (): Promise<EncryptionStatus> => {
    const on = await enabled();
    return { enabled: on, locked: on && !host.isOpen() };
  };
  /**
   * While a change is under way, `status` says what the profile was before it: the sealed copy is
   * installed before this view reopens under the key (and a new key locks the view for a moment),
   * and a page shown "Lock now" or the unlock screen then would act on a change still running.
   */
  let shown: EncryptionStatus | undefined;
  const holding = async <T>(work: () => Promise<T>): Promise<T> => {
    const outer = shown;
    shown = outer ?? (await current());
    try {
      return await work();
    } finally {
      shown = outer;
    }
  };
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
    const rotation = await (await envelopes()).createRotation(envelope, current, next);
    const oldKey = await (await envelopes()).openEnvelope(envelope, current);
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
    status: async () => shown ?? (await current()),
    async enable(passphrase) {
      if (await enabled()) throw new MemoryError('INVALID_ARGUMENT', 'This profile is already encrypted');
      const { envelope, key } = await (await envelopes()).createEnvelope(passphrase);
      const moved = await holding(async () => {
        const done = await host.rewrite({ reason: 'encrypt', from: codecFor(undefined), to: codecFor(key), envelope });
        await host.open(key);
        return done;
      });
      await announce(moved);
    },
    async unlock(passphrase) {
      let key = await (await envelopes()).openEnvelope(await requireEnvelope(), passphrase);
      const rotation = await readRotation(host.db());
      if (rotation) {
        // A passphrase change or key rotation was cut short (the tab closed): finish it now.
        const next = await (await envelopes()).openEnvelope(rotation.resume, passphrase);
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
    async lock() {
      if (!(await enabled())) return;
      host.lock();
      tabs.announce({ type: 'lock' });
      await host.changed();
    },
    changePassphrase: (current, next, options) => rotate(current, next, options),
    rotateKey: (passphrase, options) => rotate(passphrase, passphrase, options),
    async disable(passphrase) {
      const key = await (await envelopes()).openEnvelope(await requireEnvelope(), passphrase);
      const moved = await holding(async () => {
        const done = await host.rewrite({ reason: 'decrypt', from: codecFor(key), to: codecFor(undefined), envelope: undefined });
        await host.open(undefined);
        return done;
      });
      await announce(moved);
    },
    async follow(message) {
      if (message.type === 'relocated') await host.relocated();
      const state = await sealState();
      const key = host.key();
      // A move under a new data key (a rotation) leaves views under the old key useless.
      const stale = message.type === 'lock' || !key || (message.type === 'relocated' && !message.sameKey);
      if (state !== 0 && host.isOpen() && stale) host.lock();
      else if (state !== 0 && host.isOpen() && key && key.format !== state) await host.open({ ...key, format: state });
      else if (state === 0 && (!host.isOpen() || key)) await host.open(undefined);
      else if (message.type === 'relocated' && host.isOpen()) await host.open(key);
      await host.changed();
    },
  };
}

/** Key derivation and the passphrase rules load when a passphrase is first used, not with the profile. */
const envelopes = () => import('../storage/crypto/envelope');
