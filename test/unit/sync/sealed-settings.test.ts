import memoryAdapter from 'pouchdb-adapter-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { useSyncServer } from '../../support/sync-server';
import { parsePairingCode } from '../../../src/sync/pairing';
import { toBase64Url } from '../../../src/sync/keys';
import { dumpDatabase, factoryOf, rawChange } from '../../contract/raw-dump';
import { fakeBuckets } from '../../support/buckets';
import { openDatabase } from '../../../src/storage/db';
import { openEnvelope } from '../../../src/storage/crypto/envelope';
import { readEnvelope } from '../../../src/storage/crypto/profile-encryption';
import { codecFor } from '../../../src/storage/crypto/sealed-codec';
import { reencodeProfile } from '../../../src/storage/crypto/profile-copy';

const server = useSyncServer();
const PASSPHRASE = 'violet harbour lantern 42';

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

/** What someone with the disk could take the sync key for: its base64url text and its raw bytes. */
function keyForms(code: string): string[] {
  const key = parsePairingCode(code).syncKey;
  return [toBase64Url(key), new TextDecoder('latin1').decode(key)];
}

/** Where profiles live: rewritten in place, or copied into a new storage bucket (Chromium; here a fake-indexeddb each). */
const inBuckets = () => void fakeBuckets();

describe.each([
  ['in place', () => undefined],
  ['in storage buckets', inBuckets],
])('the sync settings of an encrypted profile (%s)', (_where, setup) => {
  beforeEach(setup);
  afterEach(() => vi.unstubAllGlobals());

  it('keep no sync key or server address on disk while the profile is locked, and sync again once unlocked', async () => {
    const tag = `sealedsync${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      await a.sync.enable({ url: server() });
      const code = await a.sync.pairingCode();
      await b.sync.join(code);
      await a.encryption.enable(PASSPHRASE);
      await a.encryption.lock();
      const dump = await dumpDatabase(`mneme-${tag}a`);
      for (const form of keyForms(code)) expect(dump).not.toContain(form);
      expect(dump).not.toContain(new URL(server()).host);
      await expect(a.sync.pairingCode()).rejects.toMatchObject({ code: 'LOCKED' });

      const later = await b.memories.add('written on the other device while this one was locked');
      await a.encryption.unlock(PASSPHRASE);
      await expect.poll(() => a.memories.get(later.id).then((item) => item?.text)).toBe(later.text);
      expect(await a.sync.pairingCode()).toBe(code);

      // A new data key re-seals the settings: still nothing on disk, and sync still runs.
      await a.encryption.rotateKey(PASSPHRASE);
      await a.encryption.lock();
      const rotated = await dumpDatabase(`mneme-${tag}a`);
      for (const form of keyForms(code)) expect(rotated).not.toContain(form);
      await a.encryption.unlock(PASSPHRASE);
      expect(await a.sync.pairingCode()).toBe(code);

      // Decrypted, the profile keeps its sync set up.
      await a.encryption.disable(PASSPHRASE);
      expect(await a.sync.pairingCode()).toBe(code);
      const after = await b.memories.add('written after encryption was turned off');
      await expect.poll(() => a.memories.get(after.id).then((item) => item?.text)).toBe(after.text);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('seal the sync settings a format-2 profile kept in clear at its next unlock (the rewrite to format 3)', async () => {
    const tag = `legacysync${Date.now()}`;
    let a = await create({ profileId: tag, embedder: false });
    await a.sync.enable({ url: server() });
    const code = await a.sync.pairingCode();
    await a.encryption.enable(PASSPHRASE);
    await a.close();
    await toFormat2(`mneme-${tag}`);
    // As format 2 stored them: in clear beside the sealed records.
    const pairing = parsePairingCode(code);
    const legacy = {
      syncKey: toBase64Url(pairing.syncKey),
      url: pairing.url,
      auth: false,
      device: 'legacy0000000000',
      uploaded: true,
    };
    await rawChange(`mneme-${tag}`, 'settings', (settings) => settings.put({ key: 'sync', value: legacy }));
    expect(await dumpDatabase(`mneme-${tag}`)).toContain(legacy.syncKey);

    a = await create({ profileId: tag, embedder: false });
    try {
      await a.encryption.unlock(PASSPHRASE);
      await expect.poll(() => a.sync.status().then((s) => s.device)).toBe(legacy.device);
      expect(await a.sync.pairingCode()).toBe(code);
      await a.encryption.lock();
      const dump = await dumpDatabase(`mneme-${tag}`);
      for (const form of keyForms(code)) expect(dump).not.toContain(form);
    } finally {
      await a.close();
    }
  });
});

/** Re-encodes an encrypted profile in format 2, as the version before sealed sync settings left it. */
async function toFormat2(name: string): Promise<void> {
  const db = openDatabase(name, await factoryOf(name));
  try {
    const envelope = (await readEnvelope(db))!;
    const key = await openEnvelope(envelope, PASSPHRASE);
    await reencodeProfile(db, codecFor(key), codecFor({ ...key, format: 2 }), { ...envelope, format: 2 });
  } finally {
    db.close();
  }
}
