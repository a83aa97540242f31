/**
 * Envelopes: what PouchDB and the server hold instead of records. A document id is an HMAC tag of
 * the record's name (never its id or text); its body is AES-GCM ciphertext of the padded JSON,
 * with the document id as associated data, so a body moved under another id does not open.
 */
import { MemoryError } from '../sdk/errors';
import { fromBase64Url, toBase64Url, toHex, type SyncKeys } from './keys';

/** Envelope format version, in clear (so a later format can be told apart). */
export const ENVELOPE_VERSION = 1;

/** A document as it is replicated: only an opaque id, a format version and ciphertext. */
export interface SealedDoc {
  _id: string;
  v: number;
  /** base64url of IV (12 bytes) + AES-GCM ciphertext and tag. */
  box: string;
}

const IV_BYTES = 12;
/** Smallest padded size; each bucket above it is twice the one before. */
export const MIN_BUCKET = 256;

/** The padded size of a plaintext of `length` bytes (room for the 4-byte length prefix included). */
export function bucketFor(length: number): number {
  let bucket = MIN_BUCKET;
  while (bucket < length + 4) bucket *= 2;
  return bucket;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The opaque document id of a record name such as `memory:<device>:<id>`. */
export async function documentId(keys: SyncKeys, name: string): Promise<string> {
  const tag = new Uint8Array(await crypto.subtle.sign('HMAC', keys.ids, encoder.encode(name)));
  return `d${toHex(tag)}`;
}

function pad(plain: Uint8Array): Uint8Array {
  const padded = new Uint8Array(new ArrayBuffer(bucketFor(plain.length)));
  new DataView(padded.buffer).setUint32(0, plain.length);
  padded.set(plain, 4);
  return padded;
}

export async function seal(keys: SyncKeys, id: string, body: unknown): Promise<SealedDoc> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(id) },
    keys.seal,
    pad(encoder.encode(JSON.stringify(body))) as Uint8Array<ArrayBuffer>,
  );
  const box = new Uint8Array(IV_BYTES + cipher.byteLength);
  box.set(iv);
  box.set(new Uint8Array(cipher), IV_BYTES);
  return { _id: id, v: ENVELOPE_VERSION, box: toBase64Url(box) };
}

const invalid = (id: unknown, why: string) =>
  new MemoryError('SYNC_ENVELOPE_INVALID', `A synced document does not open with this sync key (${why})`, {
    details: { id: typeof id === 'string' ? id : undefined },
  });

/** Opens a sealed document; a tampered, foreign or garbage one rejects with `SYNC_ENVELOPE_INVALID`. */
export async function open(keys: SyncKeys, doc: unknown): Promise<unknown> {
  const record = (doc ?? {}) as Partial<SealedDoc>;
  if (typeof record._id !== 'string' || record.v !== ENVELOPE_VERSION || typeof record.box !== 'string') {
    throw invalid(record._id, 'not an envelope');
  }
  const box = fromBase64Url(record.box);
  if (!box || box.length < IV_BYTES + 16) throw invalid(record._id, 'malformed');
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: box.subarray(0, IV_BYTES), additionalData: encoder.encode(record._id) },
        keys.seal,
        box.subarray(IV_BYTES),
      ),
    );
  } catch (error) {
    throw invalid(record._id, error instanceof Error ? error.name : 'decryption failed');
  }
  const length = padded.length >= 4 ? new DataView(padded.buffer, padded.byteOffset).getUint32(0) : -1;
  if (length < 0 || length > padded.length - 4) throw invalid(record._id, 'bad padding');
  try {
    return JSON.parse(decoder.decode(padded.subarray(4, 4 + length)));
  } catch {
    throw invalid(record._id, 'not JSON');
  }
}
