/**
 * Seals bytes with the profile's data key: AES-GCM with a fresh 12-byte IV per record, stored
 * as IV ‖ ciphertext ‖ tag. A tampered record fails to open instead of returning garbage.
 */
import { MemoryError } from '../../sdk/errors';

export interface Cipher {
  seal(plain: Uint8Array): Promise<ArrayBuffer>;
  open(sealed: ArrayBuffer): Promise<Uint8Array>;
  /** A stable opaque stand-in for `text` (HMAC-SHA-256 under a key derived from the data key): for keys that must stay in clear. */
  tag(text: string): Promise<string>;
}

/**
 * The tag key: the data key encrypts one constant block under an IV no record uses (records draw
 * random 96-bit IVs), which makes a secret only the data key can produce.
 */
const TAG_IV = new TextEncoder().encode('mneme.tagkey');
const tagKeys = new WeakMap<CryptoKey, Promise<CryptoKey>>();

function tagKeyOf(key: CryptoKey): Promise<CryptoKey> {
  let tagKey = tagKeys.get(key);
  if (!tagKey) {
    tagKey = crypto.subtle
      .encrypt({ name: 'AES-GCM', iv: TAG_IV }, key, new Uint8Array(32))
      .then((secret) => crypto.subtle.importKey('raw', secret.slice(0, 32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
    tagKeys.set(key, tagKey);
  }
  return tagKey;
}

export function createCipher(key: CryptoKey): Cipher {
  return {
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain as Uint8Array<ArrayBuffer>));
      const out = new Uint8Array(12 + body.length);
      out.set(iv);
      out.set(body, 12);
      return out.buffer;
    },
    async tag(text) {
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await tagKeyOf(key), new TextEncoder().encode(text)));
      return Array.from(mac.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
    },
    async open(sealed) {
      const bytes = new Uint8Array(sealed);
      try {
        return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, key, bytes.slice(12)));
      } catch (error) {
        throw new MemoryError('STORAGE_FAILED', 'A stored record could not be decrypted (damaged or altered)', { cause: error });
      }
    },
  };
}
