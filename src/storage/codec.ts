/**
 * How records look at rest. Plain: as they are. Encrypted: each table keeps in clear only the
 * fields an index or a policy needs ({@link CLEAR_FIELDS}); every other field of a row is sealed
 * together into `sealed`. Vector chunk floats and index snapshots are sealed as bytes.
 * From format 2 every sealed value is bound (AES-GCM associated data) to its table and its clear
 * fields ({@link rowBinding}), a vector chunk to its key and ids ({@link chunkBinding}): moving
 * a sealed value elsewhere or editing what sits beside it in clear makes it fail to open.
 */
import type { MemoryItem } from '../sdk/types';
import { MemoryError } from '../sdk/errors';
import type { SealFormat } from './crypto/seal-format';

/**
 * Per table, the fields stored in clear when the profile is encrypted (the README lists them).
 * A row written in an older format may hold more fields in clear (format 2: a turn's `role`, an
 * audit entry's `actor` and `action`): they are read as they are and sealed at the next rewrite.
 */
export const CLEAR_FIELDS = {
  memories: [
    'id',
    'kind',
    'importance',
    'pinned',
    'createdAt',
    'updatedAt',
    'validFrom',
    'validTo',
    'embeddingModel',
    'lastAccessedAt',
    'archivedAt',
    'archiveReason',
  ],
  sessions: ['id', 'createdAt', 'updatedAt'],
  // `sessionId` and `seq` key the index that lists a session's turns in order. A keyed tag in place
  // of the session id would still group a session's turns (what it tells), and `seq` only numbers
  // them (as `createdAt` already orders them): both stay. The `role` is sealed (from format 3).
  turns: ['id', 'sessionId', 'seq', 'createdAt', 'archivedAt'],
  summaries: ['id', 'sessionId', 'createdAt'],
  profileFields: ['id', 'field', 'setBy', 'pinned', 'rejected', 'updatedAt'],
  episodes: ['id', 'status', 'startedAt'],
  outbox: ['id', 'kind', 'state', 'runAfter', 'attempts', 'createdAt', 'updatedAt'],
  archive: ['id', 'kind', 'archivedAt', 'originalId'],
  // Indexed: `seq` (the order), `at`, `entity` and `entityId` (a memory's history; profile entries
  // by tag), `entityIds` (the memories a bulk addition created: ids, as the memories table shows
  // them). Who acted and what they did are sealed (from format 3).
  audit: ['seq', 'at', 'entity', 'entityId', 'entityIds'],
} as const satisfies Record<string, readonly string[]>;

export type SealedTable = keyof typeof CLEAR_FIELDS;

/**
 * Clear fields left out of a row's binding because storage changes them in place without the key
 * (verify drops a lost vector's model, a summary archives turns, a restart requeues outbox jobs).
 * Altering them can only cause a re-embedding, a turn shown or hidden in context, or a job rerun.
 */
const UNBOUND_FIELDS: Partial<Record<SealedTable, readonly string[]>> = {
  memories: ['embeddingModel'],
  turns: ['archivedAt'],
  outbox: ['state', 'updatedAt'],
  // Given by IndexedDB when the entry is added, after it was sealed.
  audit: ['seq'],
};

/** What a sealed row is bound to: its table and its clear fields (its key among them). */
export function rowBinding(table: SealedTable, row: Record<string, unknown>): string {
  const unbound = UNBOUND_FIELDS[table] ?? [];
  const clear = Object.keys(row)
    .filter((name) => name !== 'sealed' && !unbound.includes(name) && row[name] !== undefined)
    .sort()
    .map((name) => [name, row[name]]);
  return JSON.stringify(['row', table, clear]);
}

/** What a vector chunk's sealed floats are bound to: its key, shape and the memory of each slot. */
export function chunkBinding(row: {
  model: string;
  chunk: number;
  dim: number;
  ids: (string | null)[];
  encoding?: string;
}): string {
  return JSON.stringify(['vectorChunks', row.model, row.chunk, row.dim, row.encoding ?? 'f32', row.ids]);
}

/** What the sealed lexical snapshot is bound to: its settings key and the versions it covers. */
export function snapshotBinding(snapshot: { takenAt: number; ids: string[]; versions?: number[] }): string {
  return JSON.stringify(['settings', 'lexical.snapshot', snapshot.takenAt, snapshot.ids, snapshot.versions ?? []]);
}

/**
 * Settings whose value is sealed when the profile is encrypted: `sync` holds the sync key and the
 * server's address, `privacy` the "do not remember" rules and patterns and the retention,
 * `preferences` the host app's choices (its chat server): a locked profile's disk must not give
 * them away. Other settings stay in clear because they are read before unlock (the key envelope,
 * the sealed marker) or hold nothing private.
 */
export const SEALED_SETTINGS: readonly string[] = ['sync', 'privacy', 'preferences'];

/** A settings row at rest; a sealed setting's value is `{ sealed }`. */
export interface SettingRecord {
  key: string;
  value: unknown;
}

/** What a sealed setting's value is bound to: its settings key. */
export function settingBinding(key: string): string {
  return JSON.stringify(['settings', key]);
}

/** Whether a settings row holds a sealed value (rather than one in clear). */
export function isSealedSetting(row: { value?: unknown } | undefined): boolean {
  return (row?.value as { sealed?: unknown } | undefined)?.sealed instanceof ArrayBuffer;
}

/** A row at rest: its clear fields, plus `sealed` holding the rest when encrypted. */
export type StoredRow = Record<string, unknown> & { sealed?: ArrayBuffer };

/**
 * An audit entry of a deleted memory that could not be sealed again without its content keeps only
 * its clear fields (its content erased in place, without the key): the one kind of row an encrypted
 * profile holds unsealed. Format 2 kept `actor` and `action` in clear too.
 */
export function isRedactedAudit(table: string, row: StoredRow): boolean {
  const allowed: readonly string[] = [...CLEAR_FIELDS.audit, 'actor', 'action'];
  return (
    table === 'audit' &&
    row.redacted === true &&
    row.sealed === undefined &&
    Object.keys(row).every((name) => name === 'redacted' || allowed.includes(name))
  );
}

/** Refusal of a row an encrypted profile never sealed (planted, or written by a stale plain client). */
export function unsealedError(table: string): MemoryError {
  return new MemoryError('STORAGE_FAILED', `A ${table} record of this encrypted profile was never sealed (planted or altered)`);
}

/** A memory as stored: either whole, or its clear fields and `sealed`. */
export type MemoryRow = Omit<MemoryItem, 'text' | 'metadata'> &
  Partial<Pick<MemoryItem, 'text' | 'metadata'>> & { sealed?: ArrayBuffer };

export interface RecordCodec {
  readonly encrypted: boolean;
  /** 0 for plain, else the sealing format (see cipher.ts). */
  readonly format: 0 | SealFormat;
  encodeRow<T extends object>(table: SealedTable, row: T): Promise<StoredRow>;
  /** The key a row of `table` with this `id` is stored under (a tag when encrypted; see PROFILE_KEYS). */
  rowKey(table: SealedTable, id: string): Promise<string>;
  /** The row as it was written; an encrypted codec refuses a row it did not seal (see {@link isRedactedAudit}). */
  decodeRow<T extends object>(table: SealedTable, row: StoredRow): Promise<T>;
  encodeItem(item: MemoryItem): Promise<MemoryRow>;
  decodeItem(row: MemoryRow): Promise<MemoryItem>;
  /** Seals raw bytes (vector chunks, index snapshots) bound to `binding`; the plain codec returns them as they are. */
  sealBytes(bytes: ArrayBuffer, binding: string): Promise<ArrayBuffer>;
  openBytes(stored: ArrayBuffer, binding: string): Promise<ArrayBuffer>;
  /** The settings row for `value` under `key`: sealed when encrypted (see {@link SEALED_SETTINGS}). */
  encodeSetting(key: string, value: unknown): Promise<SettingRecord>;
  /**
   * The value of a settings row (undefined when absent). An encrypted codec of format 1 or 2 reads
   * a value stored in clear before settings were sealed; from format 3 it refuses one (planted), and
   * a plain codec refuses a sealed value.
   */
  decodeSetting<T>(row: SettingRecord | undefined): Promise<T | undefined>;
}

export const plainCodec: RecordCodec = {
  encrypted: false,
  format: 0,
  encodeRow: async (_table, row) => row as StoredRow,
  rowKey: async (_table, id) => id,
  decodeRow: async <T>(_table: SealedTable, row: StoredRow) => row as T,
  encodeItem: async (item) => item,
  decodeItem: async (row) => row as MemoryItem,
  sealBytes: async (bytes) => bytes,
  openBytes: async (stored) => stored,
  encodeSetting: async (key, value) => ({ key, value }),
  decodeSetting: async <T>(row: SettingRecord | undefined) => {
    if (isSealedSetting(row)) throw new MemoryError('STORAGE_FAILED', `The ${row!.key} setting is sealed in a plain profile`);
    return row?.value as T | undefined;
  },
};

/**
 * The rows that decode, in order: a row that fails to open (damaged, moved, planted unsealed) is
 * left out of every list, so it never reaches search or a prompt; `maintenance.verify()` reports it.
 */
export async function readable<R, T>(rows: readonly R[], decode: (row: R) => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(rows.map(decode));
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}
