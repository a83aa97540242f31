/**
 * Seals bytes with keys derived from the profile's data key. Format 2 (written now): HKDF-SHA-256
 * derives one key per purpose from the data key ({@link KEY_LABELS}); each record is AES-GCM with
 * a fresh 12-byte IV and associated data naming where the record belongs, stored as
 * MAGIC ‖ IV ‖ ciphertext ‖ tag. A record moved to another row, or whose clear fields changed,
 * fails to open like a damaged one. Format 1 (profiles encrypted before): the data key seals
 * directly, without associated data, stored as IV ‖ ciphertext ‖ tag; it is only read, and
 * re-encoded as format 2 at the next unlock.
 */
import { MemoryError } from '../../sdk/errors';

/** The record formats: 1 = legacy (no associated data), 2 = derived keys and associated data. */
export type SealFormat = 1 | 2;
export const CURRENT_FORMAT: SealFormat = 2;

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

/** The first bytes of every format-2 sealed value ("MNE" and the format). */
export const SEAL_MAGIC = Uint8Array.of(0x4d, 0x4e, 0x45, 0x02);

export interface Cipher {
  readonly format: SealFormat;
  /** Seals `plain`; `aad` (format 2) is what the value is bound to: the same string must open it. */
  seal(plain: Uint8Array, aad?: string): Promise<ArrayBuffer>;
  open(sealed: ArrayBuffer, aad?: string): Promise<Uint8Array>;
  /** A stable opaque stand-in for `text` (HMAC-SHA-256 under a key derived from the data key): for keys that must stay in clear. */
  tag(text: string): Promise<string>;
}

/** Whether `stored` starts like a format-2 sealed value. */
export function hasSealMagic(stored: unknown): boolean {
  if (!(stored instanceof ArrayBuffer) || stored.byteLength < SEAL_MAGIC.length) return false;
  const head = new Uint8Array(stored, 0, SEAL_MAGIC.length);
  return SEAL_MAGIC.every((byte, i) => head[i] === byte);
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

const damaged = (cause?: unknown) =>
  new MemoryError('STORAGE_FAILED', 'A stored record could not be decrypted (damaged or altered)', { cause });

export function createCipher(key: DataKey): Cipher {
  const v2 = key.format === 2;
  const head = v2 ? SEAL_MAGIC.length : 0;
  const params = (iv: Uint8Array<ArrayBuffer>, aad: string): AesGcmParams =>
    v2 ? { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`mneme.v2\u0000${aad}`) } : { name: 'AES-GCM', iv };
  return {
    format: key.format,
    async seal(plain, aad = '') {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const { seal } = await keysOf(key);
      const body = new Uint8Array(await subtle().encrypt(params(iv, aad), seal, plain as Uint8Array<ArrayBuffer>));
      const out = new Uint8Array(head + 12 + body.length);
      if (v2) out.set(SEAL_MAGIC);
      out.set(iv, head);
      out.set(body, head + 12);
      return out.buffer;
    },
    async tag(text) {
      const mac = new Uint8Array(await subtle().sign('HMAC', (await keysOf(key)).tag, new TextEncoder().encode(text)));
      return Array.from(mac.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
    },
    async open(sealed, aad = '') {
      if (!(sealed instanceof ArrayBuffer) || (v2 && !hasSealMagic(sealed))) throw damaged();
      const bytes = new Uint8Array(sealed);
      const { seal } = await keysOf(key);
      try {
        return new Uint8Array(await subtle().decrypt(params(bytes.slice(head, head + 12), aad), seal, bytes.slice(head + 12)));
      } catch (error) {
        throw damaged(error);
      }
    },
  };
}
