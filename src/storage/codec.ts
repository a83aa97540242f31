/**
 * How records look at rest. Plain: as they are. Encrypted: each table keeps in clear only the
 * fields an index or a policy needs ({@link CLEAR_FIELDS}); every other field of a row is sealed
 * together into `sealed`. Vector chunk floats and index snapshots are sealed as bytes.
 */
import type { MemoryItem } from '../sdk/types';
import type { Cipher } from './crypto/cipher';

/** Per table, the fields stored in clear when the profile is encrypted (the README lists them). */
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
  turns: ['id', 'sessionId', 'seq', 'role', 'createdAt', 'archivedAt'],
  summaries: ['id', 'sessionId', 'createdAt'],
  profileFields: ['id', 'field', 'setBy', 'pinned', 'rejected', 'updatedAt'],
  episodes: ['id', 'status', 'startedAt'],
  outbox: ['id', 'kind', 'state', 'runAfter', 'attempts', 'createdAt', 'updatedAt'],
  archive: ['id', 'kind', 'archivedAt', 'originalId'],
  audit: ['seq', 'at', 'actor', 'action', 'entity', 'entityId'],
} as const satisfies Record<string, readonly string[]>;

export type SealedTable = keyof typeof CLEAR_FIELDS;

/** A row at rest: its clear fields, plus `sealed` holding the rest when encrypted. */
export type StoredRow = Record<string, unknown> & { sealed?: ArrayBuffer };

/** A memory as stored: either whole, or its clear fields and `sealed`. */
export type MemoryRow = Omit<MemoryItem, 'text' | 'metadata'> &
  Partial<Pick<MemoryItem, 'text' | 'metadata'>> & { sealed?: ArrayBuffer };

export interface RecordCodec {
  readonly encrypted: boolean;
  encodeRow<T extends object>(table: SealedTable, row: T): Promise<StoredRow>;
  /** The key a row of `table` with this `id` is stored under (a tag when encrypted; see PROFILE_KEYS). */
  rowKey(table: SealedTable, id: string): Promise<string>;
  decodeRow<T extends object>(row: StoredRow): Promise<T>;
  encodeItem(item: MemoryItem): Promise<MemoryRow>;
  decodeItem(row: MemoryRow): Promise<MemoryItem>;
  /** Seals raw bytes (vector chunks, index snapshots); the plain codec returns them as they are. */
  sealBytes(bytes: ArrayBuffer): Promise<ArrayBuffer>;
  openBytes(stored: ArrayBuffer): Promise<ArrayBuffer>;
}

export const plainCodec: RecordCodec = {
  encrypted: false,
  encodeRow: async (_table, row) => row as StoredRow,
  rowKey: async (_table, id) => id,
  decodeRow: async <T>(row: StoredRow) => row as T,
  encodeItem: async (item) => item,
  decodeItem: async (row) => row as MemoryItem,
  sealBytes: async (bytes) => bytes,
  openBytes: async (stored) => stored,
};

export function encryptedCodec(cipher: Cipher): RecordCodec {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const encodeRow = async (table: SealedTable, row: object): Promise<StoredRow> => {
    const clearNames: readonly string[] = CLEAR_FIELDS[table];
    const clear: StoredRow = {};
    const secret: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) (clearNames.includes(name) ? clear : secret)[name] = value;
    // A profile entry's id holds its value (`interests:jazz`, `preferences:<key>`), and so does the
    // audit's entityId for it: in clear they stand in as tags, the real value is sealed (and wins on decode).
    if (table === 'profileFields' && typeof clear.id === 'string') {
      secret.id = clear.id;
      clear.id = await cipher.tag(`profileFields:${clear.id}`);
    }
    if (table === 'audit' && clear.entity === 'profile' && typeof clear.entityId === 'string') {
      secret.entityId = clear.entityId;
      clear.entityId = await cipher.tag(`profileFields:${clear.entityId}`);
    }
    clear.sealed = await cipher.seal(encoder.encode(JSON.stringify(secret)));
    return clear;
  };
  const decodeRow = async <T>(row: StoredRow): Promise<T> => {
    if (!(row.sealed instanceof ArrayBuffer)) return row as T;
    const { sealed, ...clear } = row;
    return { ...clear, ...(JSON.parse(decoder.decode(await cipher.open(sealed))) as object) } as T;
  };
  return {
    encrypted: true,
    encodeRow,
    decodeRow,
    rowKey: async (table, id) => (table === 'profileFields' ? cipher.tag(`profileFields:${id}`) : id),
    encodeItem: async (item) => (await encodeRow('memories', item)) as MemoryRow,
    decodeItem: (row) => decodeRow<MemoryItem>(row as StoredRow),
    sealBytes: (bytes) => cipher.seal(new Uint8Array(bytes)),
    openBytes: async (stored) => (await cipher.open(stored)).slice().buffer,
  };
}
