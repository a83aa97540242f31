/**
 * Rewriting a profile into its next location (see location.ts): the registry records the target
 * first, the copy runs in checkpointed batches, and the registry's commit makes the copy the
 * profile. A tab closed before the commit leaves the old copy whole; the half copy is resumed (a
 * key rotation) or discarded when the profile next opens.
 */
import type { CopyOptions } from './crypto/profile-copy';
import type { MnemeDatabase } from './db';
import { dropLocation, nextLocation, openLocation, type ProfileLocation } from './location';
import type { ProfileRegistry } from './profiles';

export interface RelocationDeps {
  registry: ProfileRegistry;
  profileId: string;
  /** The profile's database name (the same in every location). */
  name: string;
}

/** The browser refused a new storage bucket (too many): the caller rewrites in place instead. */
export class NoNewLocation extends Error {
  constructor(cause: unknown) {
    super('The browser refused a new storage bucket', { cause });
    this.name = 'NoNewLocation';
  }
}

export interface Relocated {
  /** The new copy, open. */
  db: MnemeDatabase;
  location: ProfileLocation;
  /** Where the profile was: the caller closes its database there, then drops it. */
  previous: ProfileLocation;
}

/**
 * Copies the profile from `source` into a new location and commits it. With `resume`, a copy left
 * pending by an earlier attempt is continued; otherwise it is discarded first. A copy that fails
 * is discarded, unless it can be resumed.
 */
export async function relocate(
  deps: RelocationDeps,
  source: MnemeDatabase,
  options: CopyOptions & { resume?: boolean; prepare?: () => Promise<void> },
): Promise<Relocated> {
  // The copy's code loads first (only rewrites use it): a failed download changes nothing.
  const { copyProfile } = await import('./crypto/profile-copy');
  const place = await deps.registry.placeOf(deps.profileId);
  if (place.pending && !options.resume) await discardPending(deps);
  const target = (options.resume && place.pending) || nextLocation(place.location);
  const db = await openLocation(deps.name, target).catch((error: unknown) => {
    throw new NoNewLocation(error);
  });
  try {
    await deps.registry.setPending(deps.profileId, target);
    await options.prepare?.();
    await db.open();
    await copyProfile(source, db, options);
    await deps.registry.commit(deps.profileId, target);
  } catch (error) {
    db.close();
    if (!options.resume) await discardPending(deps).catch(() => undefined);
    throw error;
  }
  return { db, location: target, previous: place.location };
}

/** Deletes a half-made copy, if any. */
export async function discardPending(deps: RelocationDeps): Promise<void> {
  const { pending } = await deps.registry.placeOf(deps.profileId);
  if (!pending) return;
  await dropLocation(deps.name, pending);
  await deps.registry.setPending(deps.profileId, undefined);
}
