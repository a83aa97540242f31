import memoryAdapter from 'pouchdb-adapter-memory';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import type { MemoryClient, MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { deriveSyncKeys, generateSyncKey } from '../../../src/sync/keys';
import { isPairingCode } from '../../../src/sync/pairing';
import { parseRecoveryPhrase, recoveryPhrase } from '../../../src/sync/recovery-phrase';
import { seal } from '../../../src/sync/envelope';
import { serverDump } from '../../contract/sync.contract';
import { useSyncServer } from '../../support/sync-server';

describe('recovery phrases', () => {
  it('carry the 256-bit sync key as 24 list words, and read back however they are typed', () => {
    const key = generateSyncKey();
    const phrase = recoveryPhrase(key);
    const words = phrase.split(' ');
    expect(words).toHaveLength(24);
    expect(words.every((word) => wordlist.includes(word))).toBe(true);
    expect(parseRecoveryPhrase(phrase)).toEqual(key);
    const numbered = words.map((word, index) => `${index + 1}. ${word.toUpperCase()}`).join('\n');
    expect(parseRecoveryPhrase(`  ${numbered}  `)).toEqual(key);
    // Four letters are enough for every word of the list.
    expect(parseRecoveryPhrase(words.map((word) => word.slice(0, 4)).join(' '))).toEqual(key);
    expect(isPairingCode(phrase)).toBe(false);
  });

  it('refuse a wrong length, an unknown word and a bad checksum with INVALID_ARGUMENT and the reason', () => {
    const words = recoveryPhrase(generateSyncKey()).split(' ');
    const refused = (text: unknown, reason: string) =>
      expect(() => parseRecoveryPhrase(text)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ reason }) }),
      );
    refused(words.slice(0, 23).join(' '), 'length');
    refused(undefined, 'length');
    refused([...words.slice(0, 5), 'zzzz', ...words.slice(6)].join(' '), 'unknown-word');
    expect(() => parseRecoveryPhrase([...words.slice(0, 5), 'qwerty', ...words.slice(6)].join(' '))).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ positions: [6] }) }),
    );
    // Two words swapped (distinct ones): real words, but the checksum no longer holds.
    const at = words.findIndex((word, index) => index > 0 && word !== words[0]);
    const swapped = [...words];
    [swapped[0], swapped[at]] = [swapped[at]!, swapped[0]!];
    refused(swapped.join(' '), 'checksum');
  });
});

const server = useSyncServer();
let counter = 0;

const create = (tag: string) =>
  createMemoryEngine(
    {
      profileId: `${tag}${Date.now()}x${counter++}`,
      embedder: false,
      modelsBaseUrl: process.env.MNEME_MODELS!,
    } as MemoryClientOptions,
    'in-process',
    { syncReplica: { adapter: 'memory', plugins: [memoryAdapter] } },
  );

/** A device that tried to join and failed has nothing set up and nothing new on the server. */
async function nothingWritten(device: MemoryClient, before: string) {
  expect(await device.sync.status()).toMatchObject({ enabled: false, state: 'off' });
  await expect(device.sync.pairingCode()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  expect(await serverDump(server())).toBe(before);
}

describe('joining with a recovery phrase', () => {
  it('brings a new device everything with the phrase and the server address', async () => {
    const a = await create('phrase');
    const b = await create('phrase');
    try {
      const kept = await a.memories.add('the user grows tomatoes on the balcony');
      await a.sync.enable({ url: server() });
      await expect.poll(() => a.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
      const phrase = await a.sync.recoveryPhrase();
      expect(phrase.split(' ')).toHaveLength(24);
      await expect(b.sync.join(phrase)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'no-server' } });
      expect(await b.sync.status()).toMatchObject({ enabled: false });
      const joined = await b.sync.join(phrase.toUpperCase(), { url: server() });
      expect(joined).toMatchObject({ enabled: true, url: server() });
      await expect.poll(() => b.memories.get(kept.id).then((item) => item?.text)).toBe(kept.text);
      expect(await b.sync.recoveryPhrase()).toBe(phrase);
      expect(await b.sync.pairingCode()).toBe(await a.sync.pairingCode());
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses, writing nothing, a phrase with a bad checksum and a real phrase no profile on the server syncs with', async () => {
    const a = await create('wrong');
    const b = await create('wrong');
    try {
      await a.sync.enable({ url: server() });
      await expect.poll(() => a.sync.status().then((s) => s.state)).toBe('idle');
      const phrase = (await a.sync.recoveryPhrase()).split(' ');
      // Two words swapped keep the 8-bit checksum for about one key in 256: the first swap that breaks it.
      const refused = (candidate: string[]) => {
        try {
          parseRecoveryPhrase(candidate.join(' '));
          return false;
        } catch {
          return true;
        }
      };
      const words = phrase
        .map((word, at) => {
          const swapped = [...phrase];
          [swapped[0], swapped[at]] = [word, phrase[0]!];
          return swapped;
        })
        .find((swapped, at) => at > 0 && swapped[0] !== phrase[0] && refused(swapped))!;
      expect(words).toBeDefined();
      const before = await serverDump(server());

      await expect(b.sync.join(words.join(' '), { url: server() })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { reason: 'checksum' },
      });
      await nothingWritten(b, before);
      const stranger = recoveryPhrase(generateSyncKey());
      await expect(b.sync.join(stranger, { url: server() })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { reason: 'no-profile' },
      });
      await nothingWritten(b, before);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses with SYNC_ENVELOPE_INVALID, writing nothing, when the records under its key do not open', async () => {
    const b = await create('foreign');
    try {
      // A database named after this key, holding a record sealed with another key.
      const key = generateSyncKey();
      const keys = await deriveSyncKeys(key);
      const database = new URL(`${keys.database}/`, server());
      expect((await fetch(database, { method: 'PUT' })).ok).toBe(true);
      const foreign = await seal(await deriveSyncKeys(generateSyncKey()), 'dforeign', { text: 'not yours' });
      const put = await fetch(new URL('dforeign', database), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(foreign),
      });
      expect(put.ok).toBe(true);
      const before = await serverDump(server());

      await expect(b.sync.join(recoveryPhrase(key), { url: server() })).rejects.toMatchObject({ code: 'SYNC_ENVELOPE_INVALID' });
      await nothingWritten(b, before);
      expect(await b.memories.count()).toBe(0);
    } finally {
      await b.close();
    }
  });
});
