/**
 * The codec of an encrypted profile: each record's secret fields sealed by the profile's cipher
 * (cipher.ts), its clear fields bound as associated data (codec.ts). Loaded with the first data key
 * (src/worker/encryption-changes.ts, and the engine when it opens a profile under a key), never by
 * an unencrypted profile; the plain codec and the bindings stay in codec.ts.
 */
import type { MemoryItem } from '../../sdk/types';
import {
  CLEAR_FIELDS,
  isRedactedAudit,
  isSealedSetting,
  plainCodec,
  rowBinding,
  settingBinding,
  unsealedError,
  type MemoryRow,
  type RecordCodec,
  type SealedTable,
  type SettingRecord,
  type StoredRow,
} from '../codec';
import { createCipher, type Cipher, type DataKey } from './cipher';

/** The codec of a data key: sealed under it, or plain without one. */
export function codecFor(key: DataKey | undefined): RecordCodec {
  return key ? encryptedCodec(createCipher(key)) : plainCodec;
}

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
    clear.sealed = await cipher.seal(encoder.encode(JSON.stringify(secret)), rowBinding(table, clear));
    return clear;
  };
  const decodeRow = async <T>(table: SealedTable, row: StoredRow): Promise<T> => {
    if (!(row.sealed instanceof ArrayBuffer)) {
      if (isRedactedAudit(table, row)) return row as T;
      throw unsealedError(table);
    }
    const { sealed, ...clear } = row;
    return { ...clear, ...(JSON.parse(decoder.decode(await cipher.open(sealed, rowBinding(table, clear)))) as object) } as T;
  };
  return {
    encrypted: true,
    format: cipher.format,
    encodeRow,
    decodeRow,
    rowKey: async (table, id) => (table === 'profileFields' ? cipher.tag(`profileFields:${id}`) : id),
    encodeItem: async (item) => (await encodeRow('memories', item)) as MemoryRow,
    decodeItem: (row) => decodeRow<MemoryItem>('memories', row as StoredRow),
    sealBytes: (bytes, binding) => cipher.seal(new Uint8Array(bytes), binding),
    openBytes: async (stored, binding) => (await cipher.open(stored, binding)).slice().buffer,
    encodeSetting: async (key, value) => ({
      key,
      value: { sealed: await cipher.seal(encoder.encode(JSON.stringify(value)), settingBinding(key)) },
    }),
    decodeSetting: async <T>(row: SettingRecord | undefined) => {
      if (!row) return undefined;
      if (!isSealedSetting(row)) {
        // Format 2 kept sync settings in clear (the rewrite to format 3 seals them); since, one is planted.
        if (cipher.format >= 3) throw unsealedError('settings');
        return row.value as T;
      }
      const sealed = (row.value as { sealed: ArrayBuffer }).sealed;
      return JSON.parse(decoder.decode(await cipher.open(sealed, settingBinding(row.key)))) as T;
    },
  };
}
