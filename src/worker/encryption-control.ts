/**
 * The `encryption` API of one profile: turning encryption on and off, locking, unlocking and
 * changing the passphrase (which rotates the data key). Every re-encoding is a rewrite of the
 * whole profile under its write lock (profile-rewrite.ts); other tabs hear of it and lock or
 * reopen their own view, and a lock reaches every tab of the profile. A profile sealed in an older
 * format (1: before derived keys and associated data; 2: before padded lengths and sealed turn roles,
 * audit actors and actions, sync settings) is re-encoded in the current one when it is unlocked.
 * The changes (encryption-changes.ts: key derivation, the cipher, rewrites) load with the first
 * call that makes one; `status` and `lock`, and following other tabs, need none of them.
 */
import type { EncryptionApi } from '../sdk/client';
import type { EncryptionStatus } from '../sdk/types';
import type { MnemeDatabase } from '../storage/db';
import type { TabCoordinator, TabMessage } from '../storage/tabs';
import type { DataKey } from '../storage/crypto/cipher';
import { readEnvelope } from '../storage/crypto/profile-encryption';
import { MARKER_KEY, sealStateOf } from '../storage/crypto/write-guard';
import type { Rewriter } from './profile-rewrite';
import type { EncryptionChanges } from './encryption-changes';
import { loadOnce } from './lazy-paths';

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

/** What the changes (encryption-changes.ts) share with the control that loads them. */
export interface EncryptionCore {
  tabs: TabCoordinator;
  host: EncryptionHost;
  /** Whether the stored state says sealed (the envelope or the marker). */
  enabled(): Promise<boolean>;
  /** Runs a change while `status` keeps saying what the profile was before it. */
  holding<T>(work: () => Promise<T>): Promise<T>;
  /** After a rewrite: tells the tabs it did not move, and this client's listeners. */
  announce(moved: boolean): Promise<void>;
}

/** Loads the changes' code (tests count the loads). */
export type LoadEncryptionChanges = () => Promise<Pick<typeof import('./encryption-changes'), 'createEncryptionChanges'>>;

export function createEncryptionControl(
  tabs: TabCoordinator,
  host: EncryptionHost,
  load: LoadEncryptionChanges = () => import('./encryption-changes'),
): EncryptionControl {
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
  const changes = loadOnce(async (): Promise<EncryptionChanges> =>
    (await load()).createEncryptionChanges({ tabs, host, enabled, holding, announce }),
  );
  return {
    status: async () => shown ?? (await current()),
    enable: async (passphrase) => (await changes()).enable(passphrase),
    unlock: async (passphrase) => (await changes()).unlock(passphrase),
    changePassphrase: async (current, next, options) => (await changes()).changePassphrase(current, next, options),
    rotateKey: async (passphrase, options) => (await changes()).rotateKey(passphrase, options),
    disable: async (passphrase) => (await changes()).disable(passphrase),
    async lock() {
      if (!(await enabled())) return;
      host.lock();
      tabs.announce({ type: 'lock' });
      await host.changed();
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
