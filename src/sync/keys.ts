/**
 * The sync key and what is derived from it. One random 256-bit key per profile (separate from the
 * at-rest passphrase) travels only inside a pairing code; HKDF-SHA-256 derives from it one key per
 * purpose, so a key that seals bodies never names documents or logs in to the server.
 */
import { MemoryError } from '../sdk/errors';

/** Bytes of a sync key. */
export const SYNC_KEY_BYTES = 32;

/** The keys a device derives from its sync key. */
export interface SyncKeys {
  /** AES-GCM key sealing every document body. */
  seal: CryptoKey;
  /** HMAC-SHA-256 key turning record names into opaque document ids. */
  ids: CryptoKey;
  /** The server database of this profile: a name that says nothing about it. */
  database: string;
  /** Server credentials for a CouchDB with a per-database user (see README, "Sync"). */
  username: string;
  password: string;
}

export function generateSyncKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SYNC_KEY_BYTES));
}

const encoder = new TextEncoder();

const info = (purpose: string) => encoder.encode(`mneme-sync-v1/${purpose}`);

export async function deriveSyncKeys(syncKey: Uint8Array): Promise<SyncKeys> {
  if (!(syncKey instanceof Uint8Array) || syncKey.length !== SYNC_KEY_BYTES) {
    throw new MemoryError('INVALID_ARGUMENT', `A sync key is ${SYNC_KEY_BYTES} bytes`);
  }
  const master = await crypto.subtle.importKey('raw', syncKey as BufferSource, 'HKDF', false, ['deriveKey', 'deriveBits']);
  const params = (purpose: string): HkdfParams => ({
    name: 'HKDF',
    hash: 'SHA-256',
    salt: new Uint8Array(0),
    info: info(purpose),
  });
  const bits = async (purpose: string) => new Uint8Array(await crypto.subtle.deriveBits(params(purpose), master, 256));
  const [seal, ids, database, credentials] = await Promise.all([
    crypto.subtle.deriveKey(params('seal'), master, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']),
    crypto.subtle.deriveKey(params('ids'), master, { name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']),
    bits('database'),
    bits('credentials'),
  ]);
  return {
    seal,
    ids,
    // CouchDB database names start with a lowercase letter: `m` + 32 hex characters.
    database: `m${toHex(database.subarray(0, 16))}`,
    username: `m${toHex(credentials.subarray(0, 8))}`,
    password: toBase64Url(credentials.subarray(8)),
  };
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Undefined for text that is not base64url. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const padded = text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
