/**
 * Re-encoding a whole profile (encryption on or off, a new data key), loaded only when a rewrite
 * runs. {@link copyProfile} writes into another database in batches and can resume; where
 * profiles cannot move (no Storage Buckets, see location.ts) {@link reencodeProfile} rewrites
 * every row in place in one transaction.
 */
import { Dexie, type IndexableType } from 'dexie';
import { MemoryError } from '../../sdk/errors';
import type { MnemeDatabase } from '../db';
import {
  chunkBinding,
  CLEAR_FIELDS,
  SEALED_SETTINGS,
  type RecordCodec,
  type SettingRecord,
  type SealedTable,
  type StoredRow,
} from '../codec';
import type { KeyEnvelope } from './envelope';
import { ROTATION_KEY } from './profile-encryption';
import { ENVELOPE_KEY, MARKER_KEY, sealedMarker } from './write-guard';

/** In the target of a copy: how far it got (table, last primary key copied). */
const CHECKPOINT_KEY = 'relocation.checkpoint';
/** The envelope and the sealed marker are written first, for the target's state (write-guard.ts). */
const NOT_COPIED = new Set([ENVELOPE_KEY, MARKER_KEY, CHECKPOINT_KEY, ROTATION_KEY]);
/** Settings never re-encoded: the lexical snapshot is sealed under the old codec (the next close writes one). */
const NOT_RECODED = new Set([...NOT_COPIED, 'lexical.snapshot']);
const BATCH = 200;

interface Checkpoint {
  /** The table being copied; '' once every table is. */
  table: string;
  after?: IndexableType;
}

export interface CopyProgress {
  phase: 'copying';
  loaded: number;
  total: number;
}

export interface CopyOptions {
  from: RecordCodec;
  to: RecordCodec;
  /** The target's key envelope (absent: the copy is stored in clear). */
  envelope: KeyEnvelope | undefined;
  /** Copy only the settings (what `data.wipe` keeps). */
  settingsOnly?: boolean;
  onProgress?: (progress: CopyProgress) => void;
}

/**
 * Copies every record of `source` into `target`, re-encoded from one codec to the other, in
 * batches of {@link BATCH}; each batch is written with a checkpoint, so a copy cut short (the tab
 * closed) continues where it stopped. The target's envelope and sealed marker are written before
 * any row (or removed, for a copy in clear): the write guard checks each row against them. Whether
 * the copy is finished is the registry's to say (relocate.ts), not the target's.
 */
export async function copyProfile(source: MnemeDatabase, target: MnemeDatabase, options: CopyOptions): Promise<void> {
  const { from, to } = options;
  const names = options.settingsOnly ? ['settings'] : source.tables.map((table) => table.name);
  let checkpoint = ((await target.settings.get(CHECKPOINT_KEY))?.value as Checkpoint | undefined) ?? { table: names[0]! };
  const start = checkpoint.table === '' ? names.length : Math.max(0, names.indexOf(checkpoint.table));
  // Rows already copied: whole tables before the checkpoint, and the part of its own table.
  let loaded = 0;
  for (const name of names.slice(0, start + 1)) loaded += await target.table(name).count();
  let total = 0;
  for (const name of names) total += await source.table(name).count();
  await target.transaction('rw', target.settings, async () => {
    if (options.envelope) {
      await target.settings.bulkPut([{ key: ENVELOPE_KEY, value: options.envelope }, sealedMarker(options.envelope)]);
    } else await target.settings.bulkDelete([ENVELOPE_KEY, MARKER_KEY]);
  });
  options.onProgress?.({ phase: 'copying', loaded, total });
  const unreadable = new Unreadable();
  const recode = async (name: string, row: StoredRow): Promise<StoredRow | undefined> => {
    // The lexical snapshot indexes the records: kept when they are copied as they are, not otherwise.
    const skip = from === to && !options.settingsOnly ? NOT_COPIED : NOT_RECODED;
    if (name === 'settings') {
      if (skip.has(row.key as string)) return undefined;
      if (from === to || !SEALED_SETTINGS.includes(row.key as string)) return row;
      const setting = row as unknown as SettingRecord;
      return (await to.encodeSetting(setting.key, await from.decodeSetting(setting))) as unknown as StoredRow;
    }
    if (name === 'vectorChunks') {
      const binding = chunkBinding(row as unknown as Parameters<typeof chunkBinding>[0]);
      return { ...row, data: await to.sealBytes(await from.openBytes(row.data as ArrayBuffer, binding), binding) };
    }
    return to.encodeRow(name as SealedTable, await from.decodeRow<object>(name as SealedTable, row));
  };
  for (const name of names.slice(start)) {
    for (;;) {
      const table = source.table(name);
      const after = checkpoint.table === name ? checkpoint.after : undefined;
      const keys = (await (after === undefined ? table.orderBy(':id') : table.where(':id').above(after))
        .limit(BATCH)
        .primaryKeys()) as IndexableType[];
      const rows = (await table.bulkGet(keys)) as StoredRow[];
      const recoded = (
        await Promise.all(rows.map((row, i) => recode(name, row).catch(() => unreadable.add(name, keys[i]!))))
      ).filter((row) => row !== undefined);
      const done = keys.length < BATCH;
      const nextIndex = names.indexOf(name) + 1;
      checkpoint = done ? { table: names[nextIndex] ?? '' } : { table: name, after: keys[keys.length - 1]! };
      await target.transaction('rw', target.table(name), target.settings, async () => {
        await target.table(name).bulkPut(recoded);
        await target.settings.put({ key: CHECKPOINT_KEY, value: checkpoint });
      });
      loaded += rows.length;
      options.onProgress?.({ phase: 'copying', loaded, total });
      if (done) break;
    }
  }
  // Nothing unreadable is carried over in silence: the copy is not committed (relocate.ts discards it).
  unreadable.check();
  await target.settings.delete(CHECKPOINT_KEY);
}

/** The records a rewrite could not read, by table; {@link Unreadable.check} refuses the rewrite if any. */
class Unreadable {
  readonly #byTable = new Map<string, string[]>();

  add(table: string, key: IndexableType): undefined {
    const id = Array.isArray(key) ? key.join('/') : String(key);
    this.#byTable.set(table, [...(this.#byTable.get(table) ?? []), id]);
    return undefined;
  }

  check(): void {
    if (this.#byTable.size === 0) return;
    const records = [...this.#byTable].map(([table, ids]) => ({ table, ids: ids.slice(0, 100), count: ids.length }));
    const count = records.reduce((sum, entry) => sum + entry.count, 0);
    const named = records.map((entry) => `${entry.table}: ${entry.ids.slice(0, 5).join(', ')}`).join('; ');
    throw new MemoryError(
      'UNREADABLE_RECORDS',
      `${count} records of this profile cannot be read (damaged, or planted unsealed), so it was not rewritten (${named}). ` +
        'maintenance.verify({ removeUnreadable: true }) removes them.',
      { details: { records } },
    );
  }
}

/**
 * Re-encodes every record from one codec to the other and stores (or removes) the envelope,
 * all in one rw transaction: a failure leaves the profile exactly as it was.
 */
export async function reencodeProfile(
  db: MnemeDatabase,
  from: RecordCodec,
  to: RecordCodec,
  envelope: KeyEnvelope | undefined,
): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    // First: the write guard (write-guard.ts) checks every row below against what these say.
    if (envelope) await db.settings.bulkPut([{ key: ENVELOPE_KEY, value: envelope }, sealedMarker(envelope)]);
    else await db.settings.bulkDelete([ENVELOPE_KEY, MARKER_KEY]);
    const unreadable = new Unreadable();
    for (const table of Object.keys(CLEAR_FIELDS) as SealedTable[]) {
      const rows = (await db.table(table).toArray()) as StoredRow[];
      if (rows.length === 0) continue;
      const key = (row: StoredRow) => (table === 'audit' ? row.seq : row.id) as IndexableType;
      const recode = async (row: StoredRow) => to.encodeRow(table, await from.decodeRow<object>(table, row));
      const recoded = await Dexie.waitFor(
        Promise.all(rows.map((row) => recode(row).catch(() => unreadable.add(table, key(row))))),
      );
      // Cleared first: a row's key can change with the codec (profile entries are keyed by a tag when sealed).
      await db.table(table).clear();
      await db.table(table).bulkPut(recoded.filter((row) => row !== undefined));
    }
    const settings = (await db.settings.bulkGet([...SEALED_SETTINGS])).filter((row) => row !== undefined);
    const reseal = async (row: SettingRecord) => to.encodeSetting(row.key, await from.decodeSetting(row));
    const resealed = await Dexie.waitFor(
      Promise.all(settings.map((row) => reseal(row).catch(() => unreadable.add('settings', row.key)))),
    );
    await db.settings.bulkPut(resealed.filter((row) => row !== undefined));
    const chunks = await db.vectorChunks.toArray();
    const rechunked = await Dexie.waitFor(
      Promise.all(
        chunks.map(async (chunk) => {
          const binding = chunkBinding(chunk);
          try {
            return { ...chunk, data: await to.sealBytes(await from.openBytes(chunk.data, binding), binding) };
          } catch {
            return unreadable.add('vectorChunks', [chunk.model, chunk.chunk]);
          }
        }),
      ),
    );
    // Thrown inside the transaction: nothing above is kept.
    unreadable.check();
    await db.vectorChunks.bulkPut(rechunked.filter((chunk) => chunk !== undefined));
    // The lexical snapshot was sealed under the old codec: drop it, the next close writes a new one.
    await db.settings.delete('lexical.snapshot');
  });
}
