/**
 * The profile list: a small database of its own (`<storageName>--profiles`; a profile id cannot
 * start with "-", so no profile database can take that name). Each profile's memories live in
 * their own database, and deleting a profile deletes that database.
 */
import { Dexie, type EntityTable } from 'dexie';
import { MemoryError } from '../sdk/errors';
import type { ProfileDeleteOptions, ProfileInfo } from '../sdk/types';
import { databaseName, openDatabase } from './db';
import { openEnvelope } from './crypto/envelope';
import { readEnvelope } from './crypto/profile-encryption';

const PROFILE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Ends in a letter, digit, "_" or "."; no "--" (the registry's own `--profiles` stays unambiguous). */
const STORAGE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_.])?$/;

type RegistryDatabase = Dexie & { profiles: EntityTable<ProfileInfo, 'id'> };

export function checkProfileId(profileId: unknown): string {
  if (typeof profileId !== 'string' || !PROFILE_ID.test(profileId)) {
    throw new MemoryError(
      'INVALID_ARGUMENT',
      'A profile id is 1-64 letters, digits, "-" or "_", starting with a letter or digit',
    );
  }
  return profileId;
}

/**
 * The prefix of the database names (`<storageName>-<profileId>`, `<storageName>--profiles`): 1-64
 * letters, digits, "_", "." or single "-", starting with a letter or digit and not ending in "-",
 * so that no two storage names can share a database.
 */
export function checkStorageName(storageName: unknown): string {
  if (typeof storageName !== 'string' || !STORAGE_NAME.test(storageName) || storageName.includes('--')) {
    throw new MemoryError(
      'INVALID_ARGUMENT',
      'A storage name is 1-64 letters, digits, "_", "." or single "-", starting with a letter or digit and not ending in "-"',
    );
  }
  return storageName;
}

export interface ProfileRegistry {
  list(): Promise<ProfileInfo[]>;
  /** Records that a profile was opened (creating its entry on first use). */
  touch(id: string, now: number): Promise<ProfileInfo>;
  rename(id: string, name: string): Promise<ProfileInfo>;
  /**
   * Deletes the profile's database and its entry. Waits for other tabs to let go of it. An
   * encrypted profile needs its passphrase or `forgotPassphrase` (see ProfileDeleteOptions).
   */
  remove(id: string, options?: ProfileDeleteOptions): Promise<void>;
  close(): void;
}

export function openProfileRegistry(storageName: string): ProfileRegistry {
  const db = new Dexie(`${storageName}--profiles`) as RegistryDatabase;
  db.version(1).stores({ profiles: 'id, lastOpenedAt' });
  return {
    list: () => db.profiles.orderBy('lastOpenedAt').reverse().toArray(),
    touch: (id, now) =>
      db.transaction('rw', db.profiles, async () => {
        const existing = await db.profiles.get(id);
        const info: ProfileInfo = existing
          ? { ...existing, lastOpenedAt: now }
          : { id, name: id, createdAt: now, lastOpenedAt: now };
        await db.profiles.put(info);
        return info;
      }),
    rename: (id, name) =>
      db.transaction('rw', db.profiles, async () => {
        const trimmed = typeof name === 'string' ? name.trim() : '';
        if (trimmed.length === 0 || trimmed.length > 80)
          throw new MemoryError('INVALID_ARGUMENT', 'A profile name is 1-80 characters');
        const existing = await db.profiles.get(id);
        if (!existing) throw new MemoryError('NOT_FOUND', `No profile ${id}`);
        const info = { ...existing, name: trimmed };
        await db.profiles.put(info);
        return info;
      }),
    async remove(id, options = {}) {
      const name = databaseName(storageName, checkProfileId(id));
      if (options.forgotPassphrase !== true) await checkDeletePassphrase(name, options.passphrase);
      await Dexie.delete(name);
      await db.profiles.delete(id);
    },
    close: () => db.close(),
  };
}

/**
 * Deleting an encrypted profile asks for what unlocking it asks: its passphrase (checked against
 * its key envelope; nothing is deleted on `WRONG_PASSPHRASE`). Any script of this origin could still
 * delete the database through IndexedDB itself: this guards the SDK's and the app's own paths.
 */
async function checkDeletePassphrase(name: string, passphrase: string | undefined): Promise<void> {
  if (!(await Dexie.exists(name))) return;
  const target = openDatabase(name);
  try {
    const envelope = await readEnvelope(target);
    if (!envelope) return;
    if (passphrase === undefined) {
      throw new MemoryError(
        'PASSPHRASE_REQUIRED',
        'This profile is encrypted: give its passphrase to delete it, or forgotPassphrase: true to destroy it. Nothing was deleted.',
      );
    }
    await openEnvelope(envelope, passphrase);
  } finally {
    target.close();
  }
}
