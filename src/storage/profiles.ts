/**
 * The profile list: a small database of its own (`<storageName>--profiles`; a profile id cannot
 * start with "-", so no profile database can take that name). Each profile's memories live in
 * their own database, and deleting a profile deletes that database.
 */
import { Dexie, type EntityTable } from 'dexie';
import { MemoryError } from '../sdk/errors';
import type { ProfileDeleteOptions, ProfileInfo } from '../sdk/types';
import { databaseName } from './db';
import { readEnvelope } from './crypto/profile-encryption';
import { dropBucket, dropLocation, firstLocation, openLocation, type ProfileLocation } from './location';

const PROFILE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Ends in a letter, digit, "_" or "."; no "--" (the registry's own `--profiles` stays unambiguous). */
const STORAGE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_.])?$/;

/**
 * A profile's entry: what `profiles.list()` shows, plus where its data is (absent: the default
 * storage, as before locations existed) and, while a rewrite is under way, where it is copied to.
 */
interface ProfileRow extends ProfileInfo {
  location?: ProfileLocation;
  pending?: ProfileLocation;
  /** The location a committed rewrite left, until it is deleted. */
  retired?: ProfileLocation;
  /** Records were deleted and the profile has not been rewritten since (see maintenance.compact). */
  compactDue?: boolean;
}

/** Where an open profile's data is. */
export interface ProfilePlace {
  location: ProfileLocation;
  /** A rewrite that did not finish (the tab closed): its copy, to resume or discard. */
  pending?: ProfileLocation;
  /** Left by a rewrite that committed but did not get to delete it: delete it. */
  retired?: ProfileLocation;
  compactDue?: boolean;
}

type RegistryDatabase = Dexie & { profiles: EntityTable<ProfileRow, 'id'> };

const info = ({ id, name, createdAt, lastOpenedAt }: ProfileRow): ProfileInfo => ({ id, name, createdAt, lastOpenedAt });
const placeOf = (row: ProfileRow): ProfilePlace => ({
  location: row.location ?? { generation: 0 },
  ...(row.pending ? { pending: row.pending } : {}),
  ...(row.retired ? { retired: row.retired } : {}),
  ...(row.compactDue ? { compactDue: true } : {}),
});

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
  /**
   * Records that a profile was opened and says where its data is. A new profile gets a storage
   * bucket of its own where the browser has them; one that is already on disk without an entry
   * (written by an earlier version) stays where it is.
   */
  place(id: string, now: number): Promise<ProfilePlace>;
  /** The current place of a profile (another tab may have moved it). */
  placeOf(id: string): Promise<ProfilePlace>;
  /** Records a rewrite under way (or none). */
  setPending(id: string, pending: ProfileLocation | undefined): Promise<void>;
  /** The commit point of a rewrite: the profile is now at `location`, nothing is pending, the old place is retired. */
  commit(id: string, location: ProfileLocation): Promise<void>;
  /** The retired location is deleted. */
  clearRetired(id: string): Promise<void>;
  setCompactDue(id: string, due: boolean): Promise<void>;
  rename(id: string, name: string): Promise<ProfileInfo>;
  /**
   * Deletes the profile's data (and any half-made copy) and its entry. Waits for other tabs to
   * let go of it. An encrypted profile needs its passphrase or `forgotPassphrase` (see
   * ProfileDeleteOptions).
   */
  remove(id: string, options?: ProfileDeleteOptions): Promise<void>;
  close(): void;
}

export function openProfileRegistry(storageName: string): ProfileRegistry {
  const db = new Dexie(`${storageName}--profiles`) as RegistryDatabase;
  db.version(1).stores({ profiles: 'id, lastOpenedAt' });
  const update = (id: string, change: (row: ProfileRow) => ProfileRow) =>
    db.transaction('rw', db.profiles, async () => {
      const existing = await db.profiles.get(id);
      if (!existing) throw new MemoryError('NOT_FOUND', `No profile ${id}`);
      await db.profiles.put(change(existing));
    });
  return {
    list: async () => (await db.profiles.orderBy('lastOpenedAt').reverse().toArray()).map(info),
    touch: (id, now) =>
      db.transaction('rw', db.profiles, async () => {
        const existing = await db.profiles.get(id);
        const row: ProfileRow = existing
          ? { ...existing, lastOpenedAt: now }
          : { id, name: id, createdAt: now, lastOpenedAt: now };
        await db.profiles.put(row);
        return info(row);
      }),
    async place(id, now) {
      const existing = await db.profiles.get(id);
      if (existing) {
        // Bookkeeping only ("last opened"): a full disk must not keep the profile from opening.
        await db.profiles.update(id, { lastOpenedAt: now }).catch(() => undefined);
        return placeOf(existing);
      }
      const legacy = await Dexie.exists(databaseName(storageName, id));
      const row: ProfileRow = { id, name: id, createdAt: now, lastOpenedAt: now };
      if (!legacy) row.location = await firstLocation();
      return db.profiles.add(row).then(
        () => placeOf(row),
        async () => {
          // Another tab placed the profile between the read and this add (two tabs opening a new
          // profile at once): its place is the profile's. Or the entry cannot be written (a full
          // disk): the profile opens in the default storage, found again next time. Either way the
          // bucket made here holds nothing and goes.
          const placed = await db.profiles.get(id).catch(() => undefined);
          const unused = row.location?.bucket;
          if (unused && placed?.location?.bucket !== unused) await dropBucket(unused);
          return placed ? placeOf(placed) : { location: { generation: 0 } };
        },
      );
    },
    placeOf: async (id) => {
      const row = await db.profiles.get(id);
      return row ? placeOf(row) : { location: { generation: 0 } };
    },
    setPending: (id, pending) =>
      update(id, (row) => {
        const next = { ...row };
        if (pending) next.pending = pending;
        else delete next.pending;
        return next;
      }),
    commit: (id, location) =>
      update(id, (row) => {
        const { pending: _pending, compactDue: _due, ...rest } = row;
        return { ...rest, location, retired: row.location ?? { generation: 0 } };
      }),
    clearRetired: (id) =>
      update(id, (row) => {
        const { retired: _retired, ...rest } = row;
        return rest;
      }),
    setCompactDue: (id, due) =>
      update(id, (row) => {
        const { compactDue: _due, ...rest } = row;
        return due ? { ...rest, compactDue: true } : rest;
      }),
    rename: (id, name) =>
      db.transaction('rw', db.profiles, async () => {
        const trimmed = typeof name === 'string' ? name.trim() : '';
        if (trimmed.length === 0 || trimmed.length > 80)
          throw new MemoryError('INVALID_ARGUMENT', 'A profile name is 1-80 characters');
        const existing = await db.profiles.get(id);
        if (!existing) throw new MemoryError('NOT_FOUND', `No profile ${id}`);
        const row = { ...existing, name: trimmed };
        await db.profiles.put(row);
        return info(row);
      }),
    async remove(id, options = {}) {
      const name = databaseName(storageName, checkProfileId(id));
      const row = await db.profiles.get(id);
      const location = row?.location ?? { generation: 0 };
      if (options.forgotPassphrase !== true) await checkDeletePassphrase(name, location, options.passphrase);
      if (row?.pending) await dropLocation(name, row.pending);
      if (row?.retired) await dropLocation(name, row.retired);
      await dropLocation(name, location);
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
async function checkDeletePassphrase(name: string, location: ProfileLocation, passphrase: string | undefined): Promise<void> {
  // A profile in a bucket: its bucket exists for as long as its entry says it is there.
  if (!location.bucket && !(await Dexie.exists(name))) return;
  const target = await openLocation(name, location);
  try {
    const envelope = await readEnvelope(target);
    if (!envelope) return;
    if (passphrase === undefined) {
      throw new MemoryError(
        'PASSPHRASE_REQUIRED',
        'This profile is encrypted: give its passphrase to delete it, or forgotPassphrase: true to destroy it. Nothing was deleted.',
      );
    }
    // Key derivation loads only for this check, not with the registry.
    const { openEnvelope } = await import('./crypto/envelope');
    await openEnvelope(envelope, passphrase);
  } finally {
    target.close();
  }
}
