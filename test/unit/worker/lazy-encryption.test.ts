/**
 * Encryption's changes load on first use (src/worker/encryption-changes.ts), and with them the cipher
 * and the sealed codec: an unencrypted profile opens, adds, searches and answers `status` and `lock`
 * without them, and a locked profile is still told apart (status, LOCKED) before they load. Through
 * the real engine and the real module, counting the loads.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import type { LoadEncryptionChanges } from '../../../src/worker/encryption-control';

const PASSPHRASE = 'correct horse battery';

/** The engine with a loader of the real changes module that counts, and fails once when told to. */
async function engineWithLoads(options: MemoryClientOptions = {}) {
  const loads = { count: 0, fail: false };
  const load: LoadEncryptionChanges = async () => {
    loads.count++;
    if (loads.fail) {
      loads.fail = false;
      throw new TypeError('Failed to fetch dynamically imported module');
    }
    return import('../../../src/worker/encryption-changes');
  };
  const profileId = options.profileId ?? `lazyenc${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
  const engine = await createMemoryEngine({ profileId, embedder: false, ...options }, 'in-process', {
    load: { encryption: load },
  });
  return { engine, loads, profileId };
}

/** A profile encrypted with one memory in it, closed. */
async function sealedProfile(): Promise<string> {
  const { engine, profileId } = await engineWithLoads({ encryption: { passphrase: PASSPHRASE } });
  await engine.memories.add('The safe code is written in the red notebook');
  await engine.close();
  return profileId;
}

describe('encryption changes loaded on first use', () => {
  it('an unencrypted profile opens, adds, searches, answers status and lock without loading them', async () => {
    const { engine, loads } = await engineWithLoads();
    try {
      await engine.memories.add('The spare key is under the blue flower pot');
      expect((await engine.memories.search('spare key')).map((hit) => hit.item.text)).toEqual([
        'The spare key is under the blue flower pot',
      ]);
      expect(await engine.encryption.status()).toEqual({ enabled: false, locked: false });
      await engine.encryption.lock();
      expect((await engine.memories.search('flower pot')).length).toBe(1);
      expect(loads.count).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('a locked profile says so and answers LOCKED before they load; racing unlocks load them once and open it', async () => {
    const profileId = await sealedProfile();
    const { engine, loads } = await engineWithLoads({ profileId });
    try {
      expect(await engine.encryption.status()).toEqual({ enabled: true, locked: true });
      await expect(engine.memories.search('safe code')).rejects.toMatchObject({ code: 'LOCKED' });
      await expect(engine.memories.add('a plaintext row')).rejects.toMatchObject({ code: 'LOCKED' });
      expect(loads.count).toBe(0);
      await Promise.all([engine.encryption.unlock(PASSPHRASE), engine.encryption.unlock(PASSPHRASE)]);
      expect(loads.count).toBe(1);
      expect(await engine.encryption.status()).toEqual({ enabled: true, locked: false });
      expect((await engine.memories.search('safe code')).map((hit) => hit.item.text)).toEqual([
        'The safe code is written in the red notebook',
      ]);
      await engine.memories.add('The bike lock combination is 4711');
      await engine.encryption.lock();
      await expect(engine.memories.search('bike lock')).rejects.toMatchObject({ code: 'LOCKED' });
      await engine.encryption.unlock(PASSPHRASE);
      expect((await engine.memories.search('bike lock combination')).length).toBeGreaterThan(0);
      expect(loads.count).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('turns encryption on and off at first use, the memories still found, loading once', async () => {
    const { engine, loads } = await engineWithLoads();
    try {
      await engine.memories.add('Dana prefers window seats on long flights');
      await engine.encryption.enable(PASSPHRASE);
      expect(await engine.encryption.status()).toEqual({ enabled: true, locked: false });
      expect((await engine.memories.search('window seats')).map((hit) => hit.item.text)).toEqual([
        'Dana prefers window seats on long flights',
      ]);
      await expect(engine.encryption.unlock('not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
      await engine.encryption.disable(PASSPHRASE);
      expect(await engine.encryption.status()).toEqual({ enabled: false, locked: false });
      expect((await engine.memories.search('window seats')).length).toBe(1);
      expect(loads.count).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('tries the load again after one that failed, the profile still locked meanwhile', async () => {
    const profileId = await sealedProfile();
    const { engine, loads } = await engineWithLoads({ profileId });
    try {
      loads.fail = true;
      await expect(engine.encryption.unlock(PASSPHRASE)).rejects.toThrow(/dynamically imported/);
      expect(await engine.encryption.status()).toEqual({ enabled: true, locked: true });
      await engine.encryption.unlock(PASSPHRASE);
      expect((await engine.memories.search('red notebook')).length).toBe(1);
      expect(loads.count).toBe(2);
    } finally {
      await engine.close();
    }
  });
});
