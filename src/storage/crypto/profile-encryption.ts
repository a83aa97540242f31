/**
 * The key envelope and rotation records in a profile's `settings`. The codec of a data key
 * (sealed-codec.ts) loads with the first key; re-encoding a whole profile (profile-copy.ts) only
 * when a rewrite runs.
 */
import type { MnemeDatabase } from '../db';
import type { KeyEnvelope, Rotation } from './envelope';
import { ENVELOPE_KEY, sealedMarker } from './write-guard';

/** A key rotation under way (see {@link writeRotation}); never copied by a rewrite. */
export const ROTATION_KEY = 'crypto.rotation';

export async function readEnvelope(db: MnemeDatabase): Promise<KeyEnvelope | undefined> {
  return (await db.settings.get(ENVELOPE_KEY))?.value as KeyEnvelope | undefined;
}

export async function writeEnvelope(db: MnemeDatabase, envelope: KeyEnvelope): Promise<void> {
  await db.transaction('rw', db.settings, () =>
    db.settings.bulkPut([{ key: ENVELOPE_KEY, value: envelope }, sealedMarker(envelope)]),
  );
}

/** A key rotation under way: the new key's envelope after it, and one to resume it with. */
export interface RotationRecord {
  envelope: KeyEnvelope;
  resume: KeyEnvelope;
}

/** Kept in the profile's old copy only: it is deleted with it when the rotation commits. */
export async function writeRotation(db: MnemeDatabase, rotation: Rotation): Promise<void> {
  const record: RotationRecord = { envelope: rotation.envelope, resume: rotation.resume };
  await db.settings.put({ key: ROTATION_KEY, value: record });
}

/** A rotation refused before it could commit (unreadable records): nothing is left to finish. */
export async function clearRotation(db: MnemeDatabase): Promise<void> {
  await db.settings.delete(ROTATION_KEY);
}

export async function readRotation(db: MnemeDatabase): Promise<RotationRecord | undefined> {
  return (await db.settings.get(ROTATION_KEY))?.value as RotationRecord | undefined;
}
