/**
 * Record format 3: what an encrypted profile keeps in clear is minimised. Sealed values are padded
 * to size buckets (a text's exact length does not show), a turn's role and an audit entry's actor
 * and action are sealed, sync settings in clear are refused, and a format-2 profile is rewritten in
 * format 3 at its next unlock. Each check reads the database as someone with the disk would.
 */
import { describe, expect, it } from 'vitest';
import { Dexie, type Table } from 'dexie';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { createCipher, hasSealMagic, paddedLength, type Cipher } from '../../../src/storage/crypto/cipher';
import { rowBinding } from '../../../src/storage/codec';
import { openEnvelope } from '../../../src/storage/crypto/envelope';
import { readEnvelope } from '../../../src/storage/crypto/profile-encryption';
import { codecFor } from '../../../src/storage/crypto/sealed-codec';
import { reencodeProfile } from '../../../src/storage/crypto/profile-copy';
import { ENVELOPE_KEY, MARKER_KEY } from '../../../src/storage/crypto/write-guard';
import { openDatabase } from '../../../src/storage/db';

const PASSPHRASE = 'violet harbour lantern 42';
let counter = 0;
const open = (profileId: string): Promise<MemoryClient> =>
  createMemoryClient({ profileId, inWorker: false, embedder: false, modelsBaseUrl: process.env.MNEME_MODELS! });

type Row = Record<string, unknown> & { sealed?: ArrayBuffer };

/** Runs `work` on `table` of database `name`, opened with no Mneme code. */
async function withRawTable<T>(name: string, table: string, work: (rows: Table) => Promise<T>): Promise<T> {
  const raw = new Dexie(name);
  await raw.open();
  try {
    return await work(raw.table(table));
  } finally {
    raw.close();
  }
}

/** Every row of `table`, read with no Mneme code. */
const rawRows = (name: string, table: string): Promise<Row[]> =>
  withRawTable(name, table, (rows) => rows.toArray() as Promise<Row[]>);

const rawPut = (name: string, table: string, row: object): Promise<void> =>
  withRawTable(name, table, async (rows) => void (await rows.put(row)));

/** Runs `work` on the profile unlocked with its passphrase, and closes it. */
async function unlocked(profileId: string, work: (client: MemoryClient) => Promise<void>): Promise<void> {
  const client = await createMemoryClient({
    profileId,
    inWorker: false,
    embedder: false,
    encryption: { passphrase: PASSPHRASE },
  });
  try {
    await work(client);
  } finally {
    await client.close();
  }
}

/** A memory's history as `[actor, action]` pairs, as the client reads it. */
const history = async (client: MemoryClient, id: string) =>
  (await client.memories.history(id)).map((entry) => [entry.actor, entry.action]);

/** A profile with memories of several lengths, a conversation and a history, encrypted and closed. */
async function encryptedProfile(): Promise<{ profileId: string; ids: Record<string, string> }> {
  const profileId = `format3x${Date.now()}x${counter++}`;
  const client = await open(profileId);
  try {
    const short = await client.memories.add('Tea, no sugar');
    const longer = await client.memories.add('My sister Ana lives in Lisbon');
    const far = await client.memories.add(`A long note: ${'the garden plan for next spring, '.repeat(8)}`);
    await client.memories.update(short.id, { text: 'Tea, no sugar, with lemon' });
    const session = await client.sessions.create('Plans');
    await client.sessions.append(session.id, { role: 'user', content: 'What should I plant?' });
    await client.sessions.append(session.id, { role: 'assistant', content: 'Tomatoes do well in May.' });
    await client.encryption.enable(PASSPHRASE);
    return { profileId, ids: { short: short.id, longer: longer.id, far: far.id, session: session.id } };
  } finally {
    await client.close();
  }
}

describe('record format 3', () => {
  it('pads sealed values to size buckets: memories of different lengths in one bucket seal to the same size', async () => {
    const { profileId, ids } = await encryptedProfile();
    const memories = new Map((await rawRows(`mneme-${profileId}`, 'memories')).map((row) => [row.id, row]));
    const size = (id: string) => memories.get(id)!.sealed!.byteLength;
    expect(size(ids.short!)).toBe(size(ids.longer!));
    expect(size(ids.far!)).toBeGreaterThan(size(ids.short!));
    for (const row of memories.values()) expect(hasSealMagic(row.sealed, 3)).toBe(true);
    // Magic, IV and tag around a padded plaintext: every size is a bucket.
    for (const row of memories.values()) expect(paddedLength(row.sealed!.byteLength - 32 - 1)).toBe(row.sealed!.byteLength - 32);
  });

  it('seals a turn role and an audit actor and action, and reads them back', async () => {
    const { profileId, ids } = await encryptedProfile();
    const name = `mneme-${profileId}`;
    for (const row of await rawRows(name, 'turns'))
      expect(Object.keys(row).sort()).toEqual(['createdAt', 'id', 'sealed', 'seq', 'sessionId']);
    for (const row of await rawRows(name, 'audit')) {
      expect(row).not.toHaveProperty('actor');
      expect(row).not.toHaveProperty('action');
    }
    await unlocked(profileId, async (client) => {
      expect((await client.sessions.turns(ids.session!)).map((turn) => turn.role)).toEqual(['user', 'assistant']);
      // A deleted memory's history keeps who did what, sealed, without its text.
      await client.memories.delete(ids.longer!);
      for (const [id, last] of [
        [ids.short!, 'update'],
        [ids.longer!, 'delete'],
      ] as const)
        expect(await history(client, id), id).toEqual([
          ['user', 'create'],
          ['user', last],
        ]);
      const deleted = await client.memories.history(ids.longer!);
      expect(deleted.every((entry) => entry.before === undefined && entry.after === undefined)).toBe(true);
      for (const row of await rawRows(name, 'audit')) expect(row.sealed).toBeInstanceOf(ArrayBuffer);
    });
  });

  it('rewrites a format-2 profile in format 3 at its next unlock: roles, actors and actions sealed, lengths padded', async () => {
    const { profileId, ids } = await encryptedProfile();
    const name = `mneme-${profileId}`;
    const db = openDatabase(name);
    try {
      const envelope = (await readEnvelope(db))!;
      const key = await openEnvelope(envelope, PASSPHRASE);
      // As format 2 wrote them: unpadded, with the role, actor and action in clear.
      const v2 = codecFor({ ...key, format: 2 });
      await reencodeProfile(db, codecFor(key), v2, { ...envelope, format: 2 });
      const turns = await Promise.all((await db.turns.toArray()).map((row) => v2.decodeRow<object>('turns', row)));
      await db.turns.clear();
      await db.turns.bulkPut(
        (await Promise.all(turns.map((turn) => format2Turn(createCipher({ ...key, format: 2 }), turn)))) as never[],
      );
    } finally {
      db.close();
    }
    expect((await rawRows(name, 'turns')).map((row) => row.role).sort()).toEqual(['assistant', 'user']);
    const sizes = new Map((await rawRows(name, 'memories')).map((row) => [row.id, row.sealed!.byteLength]));
    expect(sizes.get(ids.short!)).not.toBe(sizes.get(ids.longer!));

    await unlocked(profileId, async (client) => {
      expect((await client.sessions.turns(ids.session!)).map((turn) => [turn.role, turn.content])).toEqual([
        ['user', 'What should I plant?'],
        ['assistant', 'Tomatoes do well in May.'],
      ]);
      expect(await client.memories.count()).toBe(3);
    });
    const settings = new Map((await rawRows(name, 'settings')).map((row) => [row.key, row.value as { format?: number }]));
    expect([settings.get(ENVELOPE_KEY)?.format, settings.get(MARKER_KEY)?.format]).toEqual([3, 3]);
    for (const row of await rawRows(name, 'turns')) expect(row).not.toHaveProperty('role');
    const padded = new Map((await rawRows(name, 'memories')).map((row) => [row.id, row.sealed!]));
    expect(padded.get(ids.short!)!.byteLength).toBe(padded.get(ids.longer!)!.byteLength);
    expect(hasSealMagic(padded.get(ids.far!), 3)).toBe(true);
  });

  it('refuses sync settings planted in clear: sync stays off', async () => {
    const { profileId } = await encryptedProfile();
    await rawPut(`mneme-${profileId}`, 'settings', {
      key: 'sync',
      value: {
        syncKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        url: 'http://127.0.0.1:9/',
        auth: false,
        device: 'planted',
      },
    });
    await unlocked(profileId, async (client) => {
      await expect(client.sync.pairingCode()).rejects.toMatchObject({ code: 'STORAGE_FAILED' });
      expect((await client.sync.status()).enabled).toBe(false);
    });
  });
});

/** A turn sealed as format 2 did: `role` in clear beside the sealed content, and bound with it. */
async function format2Turn(cipher: Cipher, turn: object): Promise<object> {
  const { id, sessionId, seq, role, createdAt, archivedAt, ...secret } = turn as Record<string, unknown>;
  const clear = Object.fromEntries(
    Object.entries({ id, sessionId, seq, role, createdAt, archivedAt }).filter(([, value]) => value !== undefined),
  );
  const sealed = await cipher.seal(new TextEncoder().encode(JSON.stringify(secret)), rowBinding('turns', clear));
  return { ...clear, sealed };
}
