/**
 * Seals bytes with keys derived from the profile's data key. Format 3 (written now): HKDF-SHA-256
 * derives one key per purpose from the data key ({@link KEY_LABELS}); each record is padded to a
 * size bucket ({@link paddedLength}), then AES-GCM with a fresh 12-byte IV and associated data
 * naming where the record belongs, stored as MAGIC ‖ IV ‖ ciphertext ‖ tag. A record moved to
 * another row, or whose clear fields changed, fails to open like a damaged one; its size tells
 * only its bucket, not its length. Format 2: the same without padding (so with exact lengths).
 * Format 1: the data key seals directly, without associated data, stored as IV ‖ ciphertext ‖ tag.
 * Formats 1 and 2 are only read, and re-encoded as format 3 at the next unlock.
 */
import { MemoryError } from '../../sdk/errors';

import { hasSealMagic, magicOf, type SealFormat } from './seal-format';

export { CURRENT_FORMAT, hasSealMagic, SEAL_MAGIC, type SealFormat } from './seal-format';

/** The unwrapped data key, imported once for each use, and the format of the profile it opens. */
export interface DataKey {
  format: SealFormat;
  /** The raw key as AES-GCM: format 1 seals with it directly (and derives its tag key from it). */
  aes: CryptoKey;
  /** The raw key as HKDF input: format 2 derives every key from it. */
  hkdf: CryptoKey;
}

/**
 * HKDF `info` of every key derived from the data key: one label per purpose, never reused.
 * `sync` is reserved for the sync envelopes (they must not share a key with local records).
 */
export const KEY_LABELS = { seal: 'mneme/v2/seal', tag: 'mneme/v2/tag', sync: 'mneme/v2/sync' } as const;
const HKDF_SALT = new TextEncoder().encode('mneme.hkdf.v2');

/**
 * The size a format-3 plaintext is padded to: powers of two from 64 bytes up to 64 KiB, then
 * multiples of 64 KiB. Two texts in the same bucket seal to the same size; a bucket is at most
 * twice its smallest member (a few percent above 64 KiB).
 */
export function paddedLength(length: number): number {
  const needed = length + 1; // the 0x80 end marker
  if (needed > 65_536) return Math.ceil(needed / 65_536) * 65_536;
  let size = 64;
  while (size < needed) size *= 2;
  return size;
}

/** `plain` ‖ 0x80 ‖ zeros up to its bucket (ISO/IEC 7816-4 padding). */
function pad(plain: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(paddedLength(plain.length));
  out.set(plain);
  out[plain.length] = 0x80;
  return out;
}

function unpad(padded: Uint8Array): Uint8Array {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x80) throw damaged();
  return padded.subarray(0, end);
}

export interface Cipher {
  readonly format: SealFormat;
  /** Seals `plain`; `aad` (format 2) is what the value is bound to: the same string must open it. */
  seal(plain: Uint8Array, aad?: string): Promise<ArrayBuffer>;
  open(sealed: ArrayBuffer, aad?: string): Promise<Uint8Array>;
  /** A stable opaque stand-in for `text` (HMAC-SHA-256 under a key derived from the data key): for keys that must stay in clear. */
  tag(text: string): Promise<string>;
}

const subtle = () => globalThis.crypto.subtle;

function derive(key: DataKey, label: string, algorithm: AesKeyGenParams | HmacKeyGenParams, usages: KeyUsage[]) {
  const info = new TextEncoder().encode(label);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info }, key.hkdf, algorithm, false, usages);
}

/** Format 1's tag key: the data key encrypts one constant block under an IV no record uses. */
async function legacyTagKey(key: CryptoKey): Promise<CryptoKey> {
  const secret = await subtle().encrypt(
    { name: 'AES-GCM', iv: new TextEncoder().encode('mneme.tagkey') },
    key,
    new Uint8Array(32),
  );
  return subtle().importKey('raw', secret.slice(0, 32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

const damaged = (cause?: unknown) =>
  new MemoryError('STORAGE_FAILED', 'A stored record could not be decrypted (damaged or altered)', { cause });

interface Keys {
  seal: CryptoKey;
  tag: CryptoKey;
}
const derived = new WeakMap<CryptoKey, Map<SealFormat, Promise<Keys>>>();

function keysOf(key: DataKey): Promise<Keys> {
  const byFormat = derived.get(key.aes) ?? new Map<SealFormat, Promise<Keys>>();
  derived.set(key.aes, byFormat);
  let keys = byFormat.get(key.format);
  if (!keys) {
    keys =
      key.format === 1
        ? legacyTagKey(key.aes).then((tag) => ({ seal: key.aes, tag }))
        : Promise.all([
            derive(key, KEY_LABELS.seal, { name: 'AES-GCM', length: 256 }, ['encrypt', 'decrypt']),
            derive(key, KEY_LABELS.tag, { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign']),
          ]).then(([seal, tag]) => ({ seal, tag }));
    byFormat.set(key.format, keys);
  }
  return keys;
}

export function createCipher(key: DataKey): Cipher {
  const format = key.format;
  const magic = format === 1 ? undefined : magicOf(format);
  const head = magic?.length ?? 0;
  const params = (iv: Uint8Array<ArrayBuffer>, aad: string): AesGcmParams =>
    format === 1
      ? { name: 'AES-GCM', iv }
      : { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`mneme.v${format}\u0000${aad}`) };
  return {
    format,
    async seal(plain, aad = '') {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const { seal } = await keysOf(key);
      const input = format === 3 ? pad(plain) : (plain as Uint8Array<ArrayBuffer>);
      const body = new Uint8Array(await subtle().encrypt(params(iv, aad), seal, input));
      const out = new Uint8Array(head + 12 + body.length);
      if (magic) out.set(magic);
      out.set(iv, head);
      out.set(body, head + 12);
      return out.buffer;
    },
    async tag(text) {
      const mac = new Uint8Array(await subtle().sign('HMAC', (await keysOf(key)).tag, new TextEncoder().encode(text)));
      return Array.from(mac.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
    },
    async open(sealed, aad = '') {
      if (!(sealed instanceof ArrayBuffer) || (format !== 1 && !hasSealMagic(sealed, format))) throw damaged();
      const bytes = new Uint8Array(sealed);
      const { seal } = await keysOf(key);
      let plain: Uint8Array;
      try {
        plain = new Uint8Array(await subtle().decrypt(params(bytes.slice(head, head + 12), aad), seal, bytes.slice(head + 12)));
      } catch (error) {
        throw damaged(error);
      }
      return format === 3 ? unpad(plain) : plain;
    },
  };
}
