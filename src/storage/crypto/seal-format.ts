/**
 * What a profile's stored state and its write guard (write-guard.ts) need to know of sealed values
 * without the cipher itself (cipher.ts): the formats and the magic a sealed value starts with. The
 * cipher, its key derivation and the sealed codec load only when a profile is encrypted, so an
 * unencrypted profile opens without them.
 */

/** The record formats: 1 = legacy (no associated data), 2 = derived keys and associated data, 3 = and padded lengths. */
export type SealFormat = 1 | 2 | 3;
export const CURRENT_FORMAT = 3 satisfies SealFormat;

/** The first bytes of every format-2 sealed value ("MNE" and the format); format 3 ends in 3. */
export const SEAL_MAGIC = Uint8Array.of(0x4d, 0x4e, 0x45, 0x02);
export const magicOf = (format: 2 | 3) => Uint8Array.of(0x4d, 0x4e, 0x45, format);

/** Whether `stored` starts like a sealed value of `format` (2 or 3). */
export function hasSealMagic(stored: unknown, format: 2 | 3 = 2): boolean {
  const magic = magicOf(format);
  if (!(stored instanceof ArrayBuffer) || stored.byteLength < magic.length) return false;
  const head = new Uint8Array(stored, 0, magic.length);
  return magic.every((byte, i) => head[i] === byte);
}
