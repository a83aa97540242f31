/**
 * Where a profile's database lives on disk. Chromium keeps every IndexedDB database of an origin
 * in one LevelDB, and a value overwritten, deleted or in a deleted database stays readable in its
 * files until LevelDB happens to compact them (measured in Chromium 156: 15-19 of 20 canaries
 * were still there after `deleteDatabase`). A Storage Bucket has a LevelDB of its own, and
 * deleting the bucket deletes its files (0 of 20 left). So where the browser has Storage Buckets,
 * each profile lives in a bucket of its own, and rewriting it (encryption on or off, a new key,
 * wipe, compaction after deletes) copies it into a new bucket and deletes the old one.
 *
 * Where it has none (Firefox, Safari, Node), the profile stays in the origin's default storage and
 * is rewritten in place: the README says what that leaves behind.
 */
import { Dexie } from 'dexie';
import { openDatabase, type MnemeDatabase } from './db';

/** A profile's place: the default storage when `bucket` is absent. `generation` counts its rewrites. */
export interface ProfileLocation {
  generation: number;
  bucket?: string;
}

/** The part of the Storage Buckets API this module uses (`navigator.storageBuckets`). */
export interface BucketManager {
  open(name: string, options?: { durability?: 'strict' | 'relaxed'; persisted?: boolean }): Promise<{ indexedDB: IDBFactory }>;
  delete(name: string): Promise<void>;
  keys(): Promise<string[]>;
}

export function bucketManager(): BucketManager | undefined {
  return (globalThis.navigator as { storageBuckets?: BucketManager } | undefined)?.storageBuckets;
}

/** True when profiles can be moved between buckets (and so rewritten without leaving copies). */
export const canRelocate = (): boolean => bucketManager() !== undefined;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** A new, unguessable bucket name (lower-case, as bucket names must be). */
function bucketName(): string {
  const random = crypto.getRandomValues(new Uint8Array(20));
  return `mneme-${Array.from(random, (byte) => ALPHABET[byte % 32]).join('')}`;
}

/**
 * Where a new profile goes: a bucket of its own when the browser has them and grants one more
 * (Chromium refuses new buckets past roughly 65-80 per site: "Too many buckets created"), the
 * default storage otherwise.
 */
export async function firstLocation(): Promise<ProfileLocation> {
  const manager = bucketManager();
  if (!manager) return { generation: 0 };
  const bucket = bucketName();
  return manager.open(bucket, BUCKET_OPTIONS).then(
    () => ({ generation: 0, bucket }),
    () => ({ generation: 0 }),
  );
}

/** Where the next rewrite of a profile at `current` goes. */
export function nextLocation(current: ProfileLocation): ProfileLocation {
  return { generation: current.generation + 1, bucket: bucketName() };
}

/** Strict durability (data on disk at commit); persistent where the site may keep data persistently. */
const BUCKET_OPTIONS = { durability: 'strict', persisted: true } as const;

/** The database at `location`; rejects when the browser refuses to create its bucket. */
export async function openLocation(name: string, location: ProfileLocation): Promise<MnemeDatabase> {
  if (!location.bucket) return openDatabase(name);
  const manager = bucketManager();
  if (!manager) throw new Error('This browser has no Storage Buckets: the profile cannot be opened here');
  const bucket = await manager.open(location.bucket, BUCKET_OPTIONS);
  return openDatabase(name, bucket.indexedDB);
}

/** Deletes a bucket that holds nothing of use (best effort: a bucket left over is deleted at the next open). */
export async function dropBucket(bucket: string): Promise<void> {
  await bucketManager()
    ?.delete(bucket)
    .catch(() => undefined);
}

/** Deletes everything at `location` (the whole bucket: its files go with it). */
export async function dropLocation(name: string, location: ProfileLocation): Promise<void> {
  if (!location.bucket) {
    await Dexie.delete(name);
    return;
  }
  await bucketManager()?.delete(location.bucket);
}
