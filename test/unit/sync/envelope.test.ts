import { describe, expect, it } from 'vitest';
import { bucketFor, documentId, MIN_BUCKET, open, seal, type SealedDoc } from '../../../src/sync/envelope';
import { deriveSyncKeys, fromBase64Url, generateSyncKey, toBase64Url } from '../../../src/sync/keys';
import { MemoryError } from '../../../src/sdk/errors';

const CANARY = 'canary-7f3a-blue-heron';

async function keys() {
  return deriveSyncKeys(generateSyncKey());
}

async function expectInvalid(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MemoryError);
  expect((error as MemoryError).code).toBe('SYNC_ENVELOPE_INVALID');
}

describe('sync keys', () => {
  it('derives distinct, stable keys and names from one sync key', async () => {
    const key = generateSyncKey();
    const [a, b] = await Promise.all([deriveSyncKeys(key), deriveSyncKeys(new Uint8Array(key))]);
    expect(a.database).toBe(b.database);
    expect(a.database).toMatch(/^m[0-9a-f]{32}$/);
    expect(a.password).toBe(b.password);
    expect(a.username).not.toBe(a.database);
    const other = await keys();
    expect(other.database).not.toBe(a.database);
    expect(await documentId(a, 'memory:x')).toBe(await documentId(b, 'memory:x'));
    expect(await documentId(a, 'memory:x')).not.toBe(await documentId(other, 'memory:x'));
  });

  it('refuses a key of the wrong length', async () => {
    await expect(deriveSyncKeys(new Uint8Array(16))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('round-trips base64url', () => {
    const bytes = generateSyncKey();
    expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
    expect(fromBase64Url('not base64!')).toBeUndefined();
  });
});

describe('envelopes', () => {
  it('round-trips a body under its document id', async () => {
    const k = await keys();
    const id = await documentId(k, 'memory:dev:abc');
    const body = { text: CANARY, n: 3, nested: { ok: true } };
    const sealed = await seal(k, id, body);
    expect(await open(k, sealed)).toEqual(body);
  });

  it('holds no plaintext: neither the text nor the record id, in the body or the id', async () => {
    const k = await keys();
    const id = await documentId(k, `memory:dev:${CANARY}`);
    const sealed = await seal(k, id, { id: CANARY, text: CANARY });
    const json = JSON.stringify(sealed);
    expect(json).not.toContain(CANARY);
    expect(json).not.toContain('canary');
    expect(id).toMatch(/^d[0-9a-f]{64}$/);
  });

  it('rejects a tampered body, a body moved to another id, another key and garbage with a typed error', async () => {
    const k = await keys();
    const id = await documentId(k, 'memory:dev:1');
    const sealed = await seal(k, id, { text: 'hello' });
    const bytes = fromBase64Url(sealed.box)!;
    bytes[bytes.length - 1]! ^= 1;
    await expectInvalid(open(k, { ...sealed, box: toBase64Url(bytes) }));
    await expectInvalid(open(k, { ...sealed, _id: await documentId(k, 'memory:dev:2') }));
    await expectInvalid(open(await keys(), sealed));
    await expectInvalid(open(k, { _id: id, v: 1, box: 'AAAA' }));
    await expectInvalid(open(k, { _id: id, text: 'plain' }));
    await expectInvalid(open(k, null));
  });

  it('pads bodies to size buckets', async () => {
    expect(bucketFor(0)).toBe(MIN_BUCKET);
    expect(bucketFor(MIN_BUCKET - 4)).toBe(MIN_BUCKET);
    expect(bucketFor(MIN_BUCKET - 3)).toBe(MIN_BUCKET * 2);
    expect(bucketFor(5000)).toBe(8192);
    const k = await keys();
    const id = await documentId(k, 'x');
    const size = (doc: SealedDoc) => fromBase64Url(doc.box)!.length;
    const short = await seal(k, id, { text: 'a' });
    const longer = await seal(k, id, { text: 'a'.repeat(150) });
    const bigger = await seal(k, id, { text: 'a'.repeat(400) });
    expect(size(short)).toBe(size(longer));
    expect(size(bigger)).toBeGreaterThan(size(short));
    // IV + bucket + GCM tag.
    expect(size(short)).toBe(12 + MIN_BUCKET + 16);
  });
});
