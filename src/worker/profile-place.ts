/**
 * Where this client's profile is (see storage/location.ts) and keeping up with it: opening it
 * where the registry says, tidying what an earlier client left (an old copy not yet deleted, a
 * half copy), following another tab's move, and compaction after deletes.
 */
import { MemoryError } from '../sdk/errors';
import type { LongCallOptions } from '../sdk/types';
import { plainCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';
import { readEnvelope, readRotation } from '../storage/crypto/profile-encryption';
import { canRelocate, dropLocation, openLocation, type ProfileLocation } from '../storage/location';
import type { ProfileRegistry } from '../storage/profiles';
import { discardPending, type RelocationDeps } from '../storage/relocate';
import type { TabCoordinator } from '../storage/tabs';
import type { Rewriter } from './profile-rewrite';

export interface PlaceDeps {
  registry: ProfileRegistry;
  profileId: string;
  /** The profile's database name. */
  name: string;
  /** Another tab opened the database with a newer schema. */
  onVersionChange(): void;
}

export type ProfilePlaceControl = ReturnType<typeof createProfilePlace>;

export function createProfilePlace(deps: PlaceDeps) {
  const { registry, profileId, name } = deps;
  const relocation: RelocationDeps = { registry, profileId, name };
  let db: MnemeDatabase | undefined;
  /** Where `db` is (unknown when the registry could not be read: then it is never taken as moved). */
  let at: ProfileLocation | undefined;
  let compactDue = false;
  const current = (): MnemeDatabase => {
    if (!db) throw new MemoryError('CLOSED', 'This memory client is closed');
    return db;
  };
  const install = (next: MnemeDatabase, location: ProfileLocation | undefined) => {
    db = next;
    at = location;
    next.on('versionchange', deps.onVersionChange);
  };
  return {
    relocation,
    current,
    install,
    /** Opens the profile where the registry says, after tidying what an earlier client left. */
    async open(now: number): Promise<void> {
      // Bookkeeping ("last opened") and where the data is; an unreadable registry means the default storage.
      const place = await registry.place(profileId, now).catch(() => undefined);
      install(await openLocation(name, place?.location ?? { generation: 0 }), place?.location);
      await current().open();
      if (!place) return;
      if ('retired' in place && place.retired) {
        await dropLocation(name, place.retired);
        await registry.clearRetired(profileId);
      }
      // A half copy is resumed by the next unlock when it is a key rotation, discarded otherwise.
      if ('pending' in place && place.pending && !(await readRotation(current()))) await discardPending(relocation);
      if ('compactDue' in place && place.compactDue) compactDue = true;
    },
    /**
     * Another tab moved the profile: open it there (the old copy may be gone already: it is not
     * read). Says whether the profile is sealed.
     */
    async follow(): Promise<boolean> {
      const { location } = await registry.placeOf(profileId);
      const old = current();
      install(await openLocation(name, location), location);
      old.close();
      return (await readEnvelope(current())) !== undefined;
    },
    /** Deletes and edits leave old values in the storage files until the profile is rewritten. */
    markCompactDue(): void {
      if (compactDue || !canRelocate()) return;
      compactDue = true;
      void registry.setCompactDue(profileId, true).catch(() => undefined);
    },
    compactDue: () => compactDue,
    /**
     * The write lock for views of the database open now. A write that waited for it while another
     * tab moved the profile fails on the old copy (deleted with its bucket): it is then refused as
     * `LOCKED`, like a write racing a change of encryption, while this client follows the move.
     */
    lockFor(tabs: TabCoordinator): TabCoordinator {
      const here = at;
      const moved = async () => {
        if (!here?.bucket) return false;
        const now = await registry.placeOf(profileId).catch(() => undefined);
        return now !== undefined && now.location.bucket !== here.bucket;
      };
      return {
        ...tabs,
        withWriteLock: (work) =>
          tabs.withWriteLock(work).catch(async (error: unknown) => {
            if (!(await moved())) throw error;
            throw new MemoryError(
              'LOCKED',
              'Another tab rewrote this profile (encryption, key, wipe or compaction) while this write waited: try again',
              { cause: error },
            );
          }),
      };
    },
    /** Copies the profile into a new bucket and deletes the old one; false where the browser cannot. */
    async compact(rewrite: Rewriter, options: LongCallOptions = {}): Promise<boolean> {
      if (!canRelocate()) return false;
      // Sealed rows are copied as they are: no key is needed, a locked profile compacts too.
      await rewrite({
        reason: 'compact',
        from: plainCodec,
        to: plainCodec,
        envelope: await readEnvelope(current()),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      compactDue = false;
      return true;
    },
    close: () => db?.close(),
  };
}
