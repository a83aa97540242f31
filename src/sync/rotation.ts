/**
 * Key rotation when a device is removed. The remover makes a new random sync key (so a new server
 * database, new id and seal keys, new credentials), wraps it for each remaining device's public key
 * (devices.ts) and leaves that as a rotation notice in the old database, sealed there like any
 * record; then it empties the old database of everything else (deletions, then a compaction
 * where the server allows it) and uploads everything again under the new key. Remaining devices
 * find the notice on their next sync (or when they start) and move over by themselves; the
 * removed device finds no key for itself in it and stops.
 */
import { MemoryError } from '../sdk/errors';
import { wrapSyncKey, type WrappedKey } from './devices';
import { documentId, open, seal } from './envelope';
import { loadPouch, remoteDatabase, syncFailure, type Doc, type Pouch, type RemoteOptions } from './pouch-replica';

/** The record name of the notice in the old database. */
export const NOTICE_NAME = 'rotation';

export interface RotationNotice {
  type: 'rotation';
  /** The device removed. */
  removed: string;
  /** The device that removed it. */
  by: string;
  at: number;
  /** The new sync key, wrapped for each remaining device (by device id). */
  keys: Record<string, WrappedKey>;
}

export function isNotice(body: unknown): body is RotationNotice {
  const notice = body as Partial<RotationNotice> | undefined;
  return (
    notice?.type === 'rotation' &&
    typeof notice.removed === 'string' &&
    typeof notice.by === 'string' &&
    typeof notice.keys === 'object' &&
    notice.keys !== null
  );
}

/** A device that keeps syncing, with the public key its new sync key is wrapped for. */
export interface Recipient {
  id: string;
  publicKey: string;
}

export async function makeNotice(
  syncKey: Uint8Array,
  recipients: readonly Recipient[],
  removed: string,
  by: string,
  at: number,
): Promise<RotationNotice> {
  const keys: Record<string, WrappedKey> = {};
  for (const recipient of recipients) keys[recipient.id] = await wrapSyncKey(syncKey, recipient.id, recipient.publicKey);
  return { type: 'rotation', removed, by, at, keys };
}

type RemotePouch = Pouch & {
  allDocs(options: { limit: number }): Promise<{ rows: { id: string; value: { rev: string } }[] }>;
  bulkDocs(docs: Doc[]): Promise<{ ok?: boolean; error?: string }[]>;
  compact(): Promise<unknown>;
};

const status = (error: unknown) => (error as { status?: number } | undefined)?.status;

async function withRemote<T>(remote: RemoteOptions, work: (db: RemotePouch) => Promise<T>): Promise<T> {
  const PouchDB = await loadPouch('http', []);
  const db = remoteDatabase(PouchDB, remote, false) as RemotePouch;
  try {
    return await work(db);
  } catch (error) {
    throw syncFailure(error);
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * Leaves the notice in the old database and removes every other document from it (their bodies
 * go at the compaction, which a CouchDB per-database user may not start: see README, "Sync").
 * Safe to run again.
 */
export function retireDatabase(remote: RemoteOptions, notice: RotationNotice): Promise<void> {
  return withRemote(remote, async (db) => {
    const id = await documentId(remote.keys, NOTICE_NAME);
    const rev = await db.get(id).then(
      (doc) => doc._rev,
      (error: unknown) => {
        if (status(error) === 404) return undefined;
        throw error;
      },
    );
    await db.put({ ...(await seal(remote.keys, id, notice)), ...(rev ? { _rev: rev } : {}) });
    for (;;) {
      const { rows } = await db.allDocs({ limit: 500 });
      const gone = rows.filter((row) => row.id !== id && !row.id.startsWith('_design/'));
      if (gone.length === 0) break;
      const results = await db.bulkDocs(gone.map((row) => ({ _id: row.id, _rev: row.value.rev, _deleted: true })));
      if (!results.some((result) => result.ok)) {
        throw new MemoryError('SYNC_FAILED', 'The sync server refused to delete the old records');
      }
    }
    await db.compact().catch(() => undefined);
  });
}

/** The rotation notice in a server database, if there is one; rejects (`SYNC_FAILED`) when the server does not answer. */
export function findNotice(remote: RemoteOptions): Promise<RotationNotice | undefined> {
  return withRemote(remote, async (db) => {
    const doc = await db.get(await documentId(remote.keys, NOTICE_NAME)).catch((error: unknown) => {
      if (status(error) === 404) return undefined;
      throw error;
    });
    if (!doc) return undefined;
    const body = await open(remote.keys, doc);
    return isNotice(body) ? body : undefined;
  });
}

/** The rotation notice in a server database, if there is one (undefined too when the server does not answer). */
export const readNotice = (remote: RemoteOptions) => findNotice(remote).catch(() => undefined);
