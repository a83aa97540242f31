/** The {@link ProfileStore} port over Dexie: entries in `profileFields`, their changes in `audit`. */
import { toMemoryError } from '../sdk/errors';
import type { AuditEntry, ProfileEntry } from '../sdk/types';
import type { ProfileStore } from '../core/ports';
import type { AuditRow, LayerRow, MnemeDatabase } from './db';
import { plainCodec, type RecordCodec, type StoredRow } from './codec';

export function createProfileRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): ProfileStore {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  return {
    entries: () =>
      guard(async () => {
        const rows = await db.profileFields.toArray();
        return Promise.all(rows.map((row) => codec.decodeRow<ProfileEntry>(row as StoredRow)));
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
        const rows = await db.audit.where('entity').equals('profile').sortBy('seq');
        return Promise.all(rows.map(({ seq: _seq, ...row }) => codec.decodeRow<AuditEntry>(row as StoredRow)));
      }),
  };
}
