/**
 * Passphrase → key-encryption key (PBKDF2-SHA-256, 600,000 iterations, per-profile salt) →
 * wraps one random AES-GCM-256 data key. A wrong passphrase fails the GCM tag of the wrapped key:
 * detected without reading any data. Changing the passphrase rotates the data key
 * ({@link createRotation}): every record is re-encrypted, so an old passphrase or an old copy of
 * the envelope opens nothing written since.
 */
import { MemoryError } from '../../sdk/errors';
import { PASSPHRASE_MIN_LENGTH, passphraseStrength } from '../../sdk/passphrase';
import { CURRENT_FORMAT, type DataKey, type SealFormat } from './cipher';

export const PBKDF2_ITERATIONS = 600_000;

/** What is stored in clear in `settings` to find the data key again. */
export interface KeyEnvelope {
  version: 1;
  /** How the profile's records are sealed (see cipher.ts); absent in envelopes written before format 2. */
  format?: SealFormat;
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  salt: ArrayBuffer;
  /** 12-byte IV followed by the AES-GCM encryption of the 32 raw data-key bytes. */
  wrappedKey: ArrayBuffer;
}

const subtle = () => globalThis.crypto.subtle;

/** A new passphrase must resist offline guessing (see sdk/passphrase.ts); an existing one is only checked against its envelope. */
function checkPassphrase(passphrase: unknown): string {
  if (typeof passphrase !== 'string') throw new MemoryError('INVALID_ARGUMENT', 'The passphrase must be a string');
  const strength = passphraseStrength(passphrase);
  if (strength.level === 'weak') {
    throw new MemoryError('WEAK_PASSPHRASE', `This passphrase is too easy to guess. ${strength.reason}`, {
      details: { reason: strength.reason, minLength: PASSPHRASE_MIN_LENGTH },
    });
  }
  return passphrase;
}

async function keyEncryptionKey(passphrase: string, salt: ArrayBuffer, iterations: number): Promise<CryptoKey> {
  const material = await subtle().importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function wrap(raw: ArrayBuffer, passphrase: string, salt: ArrayBuffer, iterations: number): Promise<ArrayBuffer> {
  const kek = await keyEncryptionKey(passphrase, salt, iterations);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, kek, raw));
  const out = new Uint8Array(12 + sealed.length);
  out.set(iv);
  out.set(sealed, 12);
  return out.buffer;
}

async function unwrapRaw(envelope: KeyEnvelope, passphrase: string): Promise<ArrayBuffer> {
  if (typeof passphrase !== 'string') throw new MemoryError('INVALID_ARGUMENT', 'The passphrase must be a string');
  // Every passphrase was at least 8 characters when it was chosen (12 since): a shorter one is simply wrong.
  if (passphrase.length < 8) throw new MemoryError('WRONG_PASSPHRASE', 'That passphrase does not unlock this profile');
  const kek = await keyEncryptionKey(passphrase, envelope.salt, envelope.iterations);
  const bytes = new Uint8Array(envelope.wrappedKey);
  try {
    return await subtle().decrypt({ name: 'AES-GCM', iv: bytes.slice(0, 12) }, kek, bytes.slice(12));
  } catch {
    throw new MemoryError('WRONG_PASSPHRASE', 'That passphrase does not unlock this profile');
  }
}

const importDataKey = async (raw: ArrayBuffer, format: SealFormat): Promise<DataKey> => ({
  format,
  aes: await subtle().importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']),
  hkdf: await subtle().importKey('raw', raw, 'HKDF', false, ['deriveKey']),
});

/** A new data key and its envelope for `passphrase`. */
export async function createEnvelope(
  passphrase: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<{ envelope: KeyEnvelope; key: DataKey }> {
  checkPassphrase(passphrase);
  const raw = crypto.getRandomValues(new Uint8Array(32)).buffer;
  return { envelope: await envelopeFor(raw, passphrase, iterations), key: await importDataKey(raw, CURRENT_FORMAT) };
}

async function envelopeFor(raw: ArrayBuffer, passphrase: string, iterations: number): Promise<KeyEnvelope> {
  const salt = crypto.getRandomValues(new Uint8Array(16)).buffer;
  return {
    version: 1,
    format: CURRENT_FORMAT,
    kdf: 'PBKDF2-SHA-256',
    iterations,
    salt,
    wrappedKey: await wrap(raw, passphrase, salt, iterations),
  };
}

/** A key rotation: the new data key (format 2), its envelope under `next`, and one under `current` to resume with. */
export interface Rotation {
  key: DataKey;
  envelope: KeyEnvelope;
  /** Kept only in the old copy of the profile (deleted with it): lets `current` finish a rotation cut short. */
  resume: KeyEnvelope;
}

/** A new random data key for a profile whose envelope `current` opens (`WRONG_PASSPHRASE` otherwise). */
export async function createRotation(envelope: KeyEnvelope, current: string, next: string): Promise<Rotation> {
  checkPassphrase(next);
  await unwrapRaw(envelope, current);
  const iterations = Math.max(envelope.iterations, PBKDF2_ITERATIONS);
  const raw = crypto.getRandomValues(new Uint8Array(32)).buffer;
  return {
    key: await importDataKey(raw, CURRENT_FORMAT),
    envelope: await envelopeFor(raw, next, iterations),
    resume: await envelopeFor(raw, current, iterations),
  };
}

/** The data key, or `WRONG_PASSPHRASE`. */
export async function openEnvelope(envelope: KeyEnvelope, passphrase: string): Promise<DataKey> {
  return importDataKey(await unwrapRaw(envelope, passphrase), envelope.format ?? 1);
}
