/**
 * Profiles in storage buckets (Node: each bucket is a fake-indexeddb factory of its own, as each
 * Chromium bucket is a LevelDB of its own): a rewrite copies into a new bucket and deletes the old
 * one; a copy cut short resumes from its checkpoint or is discarded; a key rotation cut short is
 * finished by the next unlock; after a rotation the old passphrase and envelope open nothing new.
 */
import type { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryClient, MemoryError, type MemoryClient } from '../../../src/sdk/index';
import { openDatabase, type MnemeDatabase } from '../../../src/storage/db';
import { openEnvelope, type KeyEnvelope } from '../../../src/storage/crypto/envelope';
import { plainCodec, type StoredRow } from '../../../src/storage/codec';
import { encryptedCodec } from '../../../src/storage/crypto/sealed-codec';
import { createCipher } from '../../../src/storage/crypto/cipher';
import { openProfileRegistry } from '../../../src/storage/profiles';
import { relocate } from '../../../src/storage/relocate';
import { fakeBuckets } from '../../support/buckets';

let buckets: Map<string, IDBFactory>;

beforeEach(() => {
  buckets = fakeBuckets();
});
afterEach(() => vi.unstubAllGlobals());

let counter = 0;
const profileId = () => `reloc${Date.now()}x${counter++}`;
const open = (id: string, passphrase?: string) =>
  createMemoryClient({
    profileId: id,
    inWorker: false,
    embedder: 'local/glove-sif-100d',
    modelsBaseUrl: process.env.MNEME_MODELS!,
    ...(passphrase ? { encryption: { passphrase } } : {}),
  });

/** The profile's database in its only bucket, read without Mneme's client. */
function rawProfile(id: string): MnemeDatabase {
  expect(buckets.size).toBe(1);
  return openDatabase(`mneme-${id}`, [...buckets.values()][0]);
}

async function rawText(id: string): Promise<string> {
  const db = rawProfile(id);
  const parts: string[] = [];
  for (const table of db.tables)
    parts.push(
      JSON.stringify(await table.toArray(), (_k, v: unknown) => (v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v)),
    );
  db.close();
  return parts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('profiles in storage buckets', () => {
  it('two tabs opening a new profile at once share one place, and no bucket is left over', async () => {
    const id = profileId();
    const placed = await Promise.all([openProfileRegistry('mneme').place(id, 1), openProfileRegistry('mneme').place(id, 2)]);
    expect(placed[0]!.location.bucket).toMatch(/^mneme-/);
    expect(placed[1]!.location).toEqual(placed[0]!.location);
    expect([...buckets.keys()]).toEqual([placed[0]!.location.bucket]);
    // As clients: what one writes, the other reads.
    const id2 = profileId();
    const [a, b] = await Promise.all([open(id2), open(id2)]);
    try {
      const item = await a.memories.add('written in the first tab, read in the second');
      // The other tab hears of the write (BroadcastChannel) and reads it from the same database.
      await expect.poll(async () => (await b.memories.get(item.id))?.text).toBe('written in the first tab, read in the second');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('puts a new profile in a bucket of its own, and enable, disable and wipe each move it into a new one', async () => {
    const id = profileId();
    const client = await open(id);
    await client.memories.add('Quetzal-canary-4410 is the door code');
    const first = [...buckets.keys()];
    expect(first).toHaveLength(1);
    await client.encryption.enable('correct horse battery');
    const second = [...buckets.keys()];
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
    expect(await rawText(id)).not.toContain('Quetzal');
    expect((await client.memories.list())[0]?.text).toContain('Quetzal-canary-4410');
    await client.encryption.disable('correct horse battery');
    expect(buckets.has(second[0]!)).toBe(false);
    await client.data.wipe();
    expect(await rawText(id)).not.toContain('Quetzal');
    expect(await client.memories.count()).toBe(0);
    await client.close();
  });

  it('reports encryption as it was until turning it on or off has finished, then as it is', async () => {
    const client = await open(profileId());
    await client.memories.add('The boat is moored at pier 9');
    // Asked at each step of the rewrite (the last comes once the sealed copy is the profile's, before this view reopens under the key).
    const asked: Promise<unknown>[] = [];
    client.subscribe((event) => {
      if (event.type === 'rewriting') asked.push(client.encryption.status());
    });
    await client.encryption.enable('correct horse battery');
    const duringEnable = await Promise.all(asked.splice(0));
    expect(duringEnable.length).toBeGreaterThan(1);
    expect(new Set(duringEnable.map((status) => JSON.stringify(status)))).toEqual(
      new Set([JSON.stringify({ enabled: false, locked: false })]),
    );
    expect(await client.encryption.status()).toEqual({ enabled: true, locked: false });
    await client.encryption.disable('correct horse battery');
    const duringDisable = await Promise.all(asked.splice(0));
    expect(new Set(duringDisable.map((status) => JSON.stringify(status)))).toEqual(
      new Set([JSON.stringify({ enabled: true, locked: false })]),
    );
    expect(await client.encryption.status()).toEqual({ enabled: false, locked: false });
    expect((await client.memories.list())[0]?.text).toBe('The boat is moored at pier 9');
    await client.close();
  });

  it('compacts after a delete: the deleted text is gone with the old bucket', async () => {
    const id = profileId();
    const client = await open(id);
    const item = await client.memories.add('Okapi-canary-9921 lives in the shed');
    await client.memories.add('Something to keep');
    const before = [...buckets.keys()][0];
    await client.memories.delete(item.id);
    await client.close(); // compaction is due: it runs on close
    expect(buckets.has(before!)).toBe(false);
    const text = await rawText(id);
    expect(text).not.toContain('Okapi');
    expect(text).toContain('Something to keep');
  });

  it('after a passphrase change the old passphrase and the old envelope open nothing written since', async () => {
    const id = profileId();
    let client: MemoryClient = await open(id, 'old passphrase 1');
    await client.memories.add('Before the change');
    let raw = rawProfile(id);
    const oldEnvelope = (await raw.settings.get('crypto.envelope'))!.value as KeyEnvelope;
    raw.close();
    const progress: number[] = [];
    await client.encryption.changePassphrase('old passphrase 1', 'new passphrase 2', {
      onProgress: (event) => progress.push(event.loaded),
    });
    expect(progress.length).toBeGreaterThan(0);
    const after = await client.memories.add('Narwhal-canary-3307 written after the change');
    await client.close();
    raw = rawProfile(id);
    const row = (await raw.memories.get(after.id)) as StoredRow;
    const everything = (await raw.memories.toArray()) as StoredRow[];
    raw.close();
    const oldKey = await openEnvelope(oldEnvelope, 'old passphrase 1');
    const oldCodec = encryptedCodec(createCipher(oldKey));
    expect(await failure(oldCodec.decodeRow('memories', row))).toBeDefined();
    // Records from before the change were re-encrypted too.
    for (const stored of everything) expect(await failure(oldCodec.decodeRow('memories', stored))).toBeDefined();
    client = await open(id);
    expect(((await failure(client.encryption.unlock('old passphrase 1'))) as MemoryError).code).toBe('WRONG_PASSPHRASE');
    await client.encryption.unlock('new passphrase 2');
    expect((await client.memories.list()).map((m) => m.text).sort()).toEqual([
      'Before the change',
      'Narwhal-canary-3307 written after the change',
    ]);
    await client.close();
  });

  it('finishes a passphrase change cut short at the next unlock with the old passphrase', async () => {
    const id = profileId();
    let client: MemoryClient = await open(id, 'old passphrase 1');
    await client.memories.add('Kept through the rotation');
    const cut = await failure(
      client.encryption.changePassphrase('old passphrase 1', 'new passphrase 2', {
        onProgress: () => {
          throw new Error('the tab closed');
        },
      }),
    );
    expect(cut).toBeDefined();
    await client.close();
    client = await open(id);
    expect(((await failure(client.encryption.unlock('new passphrase 2'))) as MemoryError).code).toBe('WRONG_PASSPHRASE');
    await client.encryption.unlock('old passphrase 1'); // resumes and completes the change
    expect((await client.memories.list())[0]?.text).toBe('Kept through the rotation');
    await client.close();
    client = await open(id);
    expect(((await failure(client.encryption.unlock('old passphrase 1'))) as MemoryError).code).toBe('WRONG_PASSPHRASE');
    await client.encryption.unlock('new passphrase 2');
    expect(await client.memories.count()).toBe(1);
    await client.close();
  });

  it('resumes a copy from its checkpoint after a crash, and discards a half copy nobody resumes', async () => {
    const id = profileId();
    const client = await open(id);
    await client.memories.addMany(Array.from({ length: 450 }, (_, i) => ({ text: `memory number ${i}` })));
    await client.close();
    const registry = openProfileRegistry('mneme');
    const deps = { registry, profileId: id, name: `mneme-${id}` };
    const source = rawProfile(id);
    const options = { from: plainCodec, to: plainCodec, envelope: undefined, resume: true };
    // A crash after the first batch: nothing runs after it (a resumable copy is not discarded).
    const crashed = await failure(
      relocate(deps, source, {
        ...options,
        onProgress: ({ loaded }) => {
          if (loaded > 0) throw new Error('crash');
        },
      }),
    );
    expect(crashed).toBeDefined();
    expect(buckets.size).toBe(2);
    expect((await registry.placeOf(id)).pending).toBeDefined();
    const seen: number[] = [];
    const moved = await relocate(deps, source, { ...options, onProgress: ({ loaded }) => seen.push(loaded) });
    expect(seen[0]).toBeGreaterThan(0); // started where the crash stopped, not from zero
    expect(await moved.db.memories.count()).toBe(450);
    moved.db.close();
    source.close();
    expect((await registry.placeOf(id)).pending).toBeUndefined();
    // A half copy with no rotation to finish is discarded when the profile opens.
    const again = openDatabase(`mneme-${id}`, buckets.get((await registry.placeOf(id)).location.bucket!));
    const leftover = await failure(
      relocate(deps, again, {
        ...options,
        onProgress: ({ loaded }) => {
          if (loaded > 0) throw new Error('crash');
        },
      }),
    );
    again.close();
    expect(leftover).toBeDefined();
    expect(buckets.size).toBe(3); // old (retired), current, half copy
    const reopened = await open(id);
    expect(buckets.size).toBe(1);
    expect(await reopened.memories.count()).toBe(450);
    await reopened.close();
    registry.close();
  });
});
