/**
 * Seals bytes with the profile's data key: AES-GCM with a fresh 12-byte IV per record, stored
 * as IV ‖ ciphertext ‖ tag. A tampered record fails to open instead of returning garbage.
 */
import { MemoryError } from '../../sdk/errors';

export interface Cipher {
  seal(plain: Uint8Array): Promise<ArrayBuffer>;
  open(sealed: ArrayBuffer): Promise<Uint8Array>;
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
