/**
 * The {@link MemoryStore} port over Dexie. An item and its vector change in one transaction:
 * both land or neither does. Storage failures become MemoryError (`QUOTA_EXCEEDED`,
 * `STORAGE_FAILED`), and the in-memory slot map is dropped so nothing half-written is believed.
 */
import { toMemoryError } from '../sdk/errors';
import type { MemoryStore } from '../core/ports';
import type { AuditRow, MnemeDatabase } from './db';
import type { AuditEntry, MemoryItem } from '../sdk/types';
import { plainCodec, readable, snapshotBinding, type MemoryRow, type RecordCodec, type StoredRow } from './codec';
import { VectorChunks } from './vector-chunks';

const LEXICAL_KEY = 'lexical.snapshot';

/** The lexical snapshot at rest: its text is sealed like every other record when encrypted. */
interface StoredSnapshot {
  takenAt: number;
  ids: string[];
  versions: number[];
  data: ArrayBuffer;
}

export function createMemoryRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): MemoryStore {
  const chunks = new VectorChunks(db, codec);
  const encodeAudit = (entries: AuditEntry[]) =>
    Promise.all(entries.map(async (entry) => (await codec.encodeRow('audit', entry)) as unknown as AuditRow));
  /**
   * The history of deleted memories without their content (`before` / `after`): each entry sealed
   * again with only who did what, when and why; an entry that does not open is left out (erased in place).
   */
  const redactedHistory = async (ids: readonly string[]): Promise<AuditRow[]> => {
    const held = await db.audit.where('entityId').anyOf(ids).toArray();
    const rows = await Promise.all(
      held.map(async ({ seq, ...row }) => {
        try {
          const { before: _before, after: _after, ...entry } = await codec.decodeRow<AuditEntry>('audit', row as StoredRow);
          return { ...(await codec.encodeRow('audit', { ...entry, redacted: true })), seq } as unknown as AuditRow;
        } catch {
          return undefined;
        }
      }),
    );
    return rows.filter((row) => row !== undefined);
  };
  // The plain codec stores items as they are: no promise per row on the way in or out (10k rows at open).
  const plain = codec === plainCodec;
  const decode = async (rows: MemoryRow[]) => (plain ? (rows as MemoryItem[]) : readable(rows, (row) => codec.decodeItem(row)));
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      chunks.invalidate();
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  const write = <T>(work: () => Promise<T>) =>
    guard(() => db.transaction('rw', db.memories, db.vectorChunks, db.settings, db.audit, work));

  return {
    putMany: async (items, vectors, audit = []) => {
      const rows = plain ? items : await Promise.all(items.map((item) => codec.encodeItem(item)));
      const auditRows = await encodeAudit(audit);
      const unembedded = items.filter((item) => item.embeddingModel === undefined).map((item) => item.id);
      // Issued together: IndexedDB runs a transaction's requests in order anyway, and the vector
      // chunks' reads need not wait for the rows to be written (one round trip instead of three).
      return write(async () => {
        await Promise.all([
          db.memories.bulkPut(rows),
          auditRows.length > 0 ? db.audit.bulkAdd(auditRows) : undefined,
          (async () => {
            if (unembedded.length > 0) await chunks.remove(unembedded);
            await chunks.upsert(vectors);
          })(),
        ]);
      });
    },
    get: (id) =>
      guard(async () => {
        const row = await db.memories.get(id);
        return row && codec.decodeItem(row);
      }),
    getMany: (ids) => guard(async () => Promise.all((await db.memories.bulkGet(ids)).map((row) => row && codec.decodeItem(row)))),
    list: ({ kinds, order, limit, offset }) =>
      guard(async () => {
        let collection = db.memories.orderBy('createdAt');
        if (order === 'newest') collection = collection.reverse();
        if (kinds) collection = collection.filter((row: MemoryRow) => kinds.includes(row.kind));
        return decode(await collection.offset(offset).limit(limit).toArray());
      }),
    all: () => guard(async () => decode(await db.memories.orderBy('createdAt').toArray())),
    vectors: (model) => guard(() => chunks.load(model)),
    vectorChunks: (model) => guard(() => chunks.loadChunks(model)),
    deleteMany: async (ids, audit = []) => {
      const auditRows = await encodeAudit(audit);
      const redacted = await redactedHistory(ids);
      const resealed = new Set(redacted.map((row) => row.seq));
      return write(async () => {
        await db.memories.bulkDelete(ids);
        await chunks.remove(ids);
        if (redacted.length > 0) await db.audit.bulkPut(redacted);
        // An entry that did not open, or was added since: its content is erased in place, without the key.
        await db.audit
          .where('entityId')
          .anyOf(ids)
          .modify((row: AuditRow) => {
            if (resealed.has(row.seq)) return;
            delete row.before;
            delete row.after;
            delete row.sealed;
            row.redacted = true;
          });
        if (auditRows.length > 0) await db.audit.bulkAdd(auditRows);
        // The saved lexical index still holds the deleted words: drop it (the next open rebuilds).
        await db.settings.delete(LEXICAL_KEY);
      });
    },
    history: (entityId) =>
      guard(async () => {
        // Its own entries and the bulk additions that list it (shown as its own).
        const [own, bulk] = await Promise.all([
          db.audit.where('entityId').equals(entityId).toArray(),
          db.audit.where('entityIds').equals(entityId).toArray(),
        ]);
        // By time: entries synced from other devices are stored after later ones of this device.
        const rows = [...own, ...bulk].sort((a, b) => a.at - b.at || a.seq! - b.seq!);
        const entries = await readable(rows, ({ seq: _seq, ...row }) => codec.decodeRow<AuditEntry>('audit', row as StoredRow));
        return entries.map(({ entityIds, ...entry }) => (entityIds ? { ...entry, entityId } : entry));
      }),
    recentAudit: (limit) =>
      guard(async () => {
        const rows = await db.audit.orderBy('at').reverse().limit(limit).toArray();
        return readable(rows, ({ seq: _seq, ...row }) => codec.decodeRow<AuditEntry>('audit', row as StoredRow));
      }),
    count: () => guard(() => db.memories.count()),
    readLexicalSnapshot: () =>
      guard(async () => {
        const stored = (await db.settings.get(LEXICAL_KEY))?.value as StoredSnapshot | undefined;
        if (!stored) return undefined;
        try {
          return {
            takenAt: stored.takenAt,
            ids: stored.ids,
            versions: stored.versions ?? [],
            data: new TextDecoder().decode(await codec.openBytes(stored.data, snapshotBinding(stored))),
          };
        } catch {
          return undefined; // sealed under another key (encryption was switched): rebuild instead
        }
      }),
    writeLexicalSnapshot: (snapshot) =>
      guard(async () => {
        const data = await codec.sealBytes(new TextEncoder().encode(snapshot.data).buffer, snapshotBinding(snapshot));
        const value: StoredSnapshot = { takenAt: snapshot.takenAt, ids: snapshot.ids, versions: snapshot.versions, data };
        await db.settings.put({ key: LEXICAL_KEY, value });
      }),
    close: async () => db.close(),
  };
}
