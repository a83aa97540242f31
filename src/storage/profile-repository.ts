/** The {@link ProfileStore} port over Dexie: entries in `profileFields`, their changes in `audit`. */
import { toMemoryError } from '../sdk/errors';
import type { AuditEntry, ProfileEntry } from '../sdk/types';
import type { ProfileStore } from '../core/ports';
import type { AuditRow, LayerRow, MnemeDatabase } from './db';
import { plainCodec, readable, type RecordCodec, type StoredRow } from './codec';

export function createProfileRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): ProfileStore {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  /**
   * Encrypted profiles written before entries were keyed by a tag keep their value in the clear
   * key (`interests:jazz`): the first read under the key moves them to their tag.
   */
  let rekeyed = false;
  const rekeyLegacyRows = async (rows: LayerRow[], entries: ProfileEntry[]) => {
    const legacy = entries.flatMap((entry, i) => (rows[i]!.id === entry.id ? [entry] : []));
    const tagged = await Promise.all(legacy.map(async (entry) => (await codec.encodeRow('profileFields', entry)) as LayerRow));
    if (legacy.length === 0 || tagged.every((row, i) => row.id === legacy[i]!.id)) return;
    await db.transaction('rw', db.profileFields, async () => {
      await db.profileFields.bulkDelete(legacy.map((entry) => entry.id));
      await db.profileFields.bulkPut(tagged);
    });
  };
  return {
    entries: () =>
      guard(async () => {
        const pairs = await readable(await db.profileFields.toArray(), async (row) => ({
          row,
          entry: await codec.decodeRow<ProfileEntry>('profileFields', row as StoredRow),
        }));
        const rows = pairs.map((pair) => pair.row);
        const entries = pairs.map((pair) => pair.entry);
        if (codec.encrypted && !rekeyed) {
          rekeyed = true;
          await rekeyLegacyRows(rows, entries);
        }
        return entries;
      }),
    write: (put, remove, audit) =>
      guard(async () => {
        const rows = await Promise.all(put.map(async (entry) => (await codec.encodeRow('profileFields', entry)) as LayerRow));
        const removed = await Promise.all(remove.map((id) => codec.rowKey('profileFields', id)));
        const auditRows = await Promise.all(
          audit.map(async (entry) => (await codec.encodeRow('audit', entry)) as unknown as AuditRow),
        );
        await db.transaction('rw', db.profileFields, db.audit, async () => {
          if (removed.length > 0) await db.profileFields.bulkDelete(removed);
          if (rows.length > 0) await db.profileFields.bulkPut(rows);
          if (auditRows.length > 0) await db.audit.bulkAdd(auditRows);
        });
      }),
    history: () =>
      guard(async () => {
        const rows = await db.audit.where('entity').equals('profile').sortBy('at'); // entries synced from other devices arrive later
        return readable(rows, ({ seq: _seq, ...row }) => codec.decodeRow<AuditEntry>('audit', row as StoredRow));
      }),
  };
}
