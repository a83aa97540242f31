/**
 * How records look at rest. Plain: as they are. Encrypted: a memory keeps in clear only what an
 * index or a policy needs (id, kind, importance, pinned, createdAt, updatedAt, validFrom,
 * validTo, embeddingModel); its text and metadata are sealed together. Vector chunk floats are
 * sealed whole (their ids, model, dim and chunk number stay clear).
 */
import type { MemoryItem, MemoryMetadata } from '../sdk/types';
import type { Cipher } from './crypto/cipher';

/** A memory as stored: either `text` + `metadata`, or `sealed` holding both. */
export type MemoryRow = Omit<MemoryItem, 'text' | 'metadata'> & {
  text?: string;
  metadata?: MemoryMetadata;
  sealed?: ArrayBuffer;
};

export interface RecordCodec {
  readonly encrypted: boolean;
  encodeItem(item: MemoryItem): Promise<MemoryRow>;
  decodeItem(row: MemoryRow): Promise<MemoryItem>;
  /** Seals raw bytes (vector chunks, index snapshots); the plain codec returns them as they are. */
  sealBytes(bytes: ArrayBuffer): Promise<ArrayBuffer>;
  openBytes(stored: ArrayBuffer): Promise<ArrayBuffer>;
}

export const plainCodec: RecordCodec = {
  encrypted: false,
  encodeItem: async (item) => item,
  decodeItem: async (row) => row as MemoryItem,
  sealBytes: async (floats) => floats,
  openBytes: async (stored) => stored,
};

export function encryptedCodec(cipher: Cipher): RecordCodec {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return {
    encrypted: true,
    async encodeItem(item) {
      const { text, metadata, ...clear } = item;
      return { ...clear, sealed: await cipher.seal(encoder.encode(JSON.stringify({ text, metadata }))) };
    },
    async decodeItem(row) {
      if (!row.sealed) return row as MemoryItem;
      const { sealed, ...clear } = row;
      const { text, metadata } = JSON.parse(decoder.decode(await cipher.open(sealed))) as Pick<MemoryItem, 'text' | 'metadata'>;
      return { ...clear, text, metadata };
    },
    sealBytes: (floats) => cipher.seal(new Uint8Array(floats)),
    openBytes: async (stored) => (await cipher.open(stored)).slice().buffer,
  };
}
