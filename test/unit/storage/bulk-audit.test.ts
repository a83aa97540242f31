/**
 * A bulk addition (`memories.addMany`) is recorded as one audit entry listing the memories it
 * created, not one entry per memory: each memory's history still shows its creation, the activity
 * list shows the addition once, encrypted profiles keep only the ids in clear, and the entry
 * survives an export and import.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';

let counter = 0;
const clients: MemoryClient[] = [];
const open = async (profileId = `bulkaudit${Date.now()}x${counter++}`, passphrase?: string) => {
  const client = await createMemoryClient({
    profileId,
    inWorker: false,
    embedder: false,
    ...(passphrase ? { encryption: { passphrase } } : {}),
  });
  clients.push(client);
  return { client, profileId };
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** Every audit row as stored, read with no Mneme code. */
async function rawAudit(profileId: string): Promise<Record<string, unknown>[]> {
  const raw = new Dexie(`mneme-${profileId}`);
  await raw.open();
  try {
    return (await raw.table('audit').toArray()) as Record<string, unknown>[];
  } finally {
    raw.close();
  }
}

const TEXTS = ['Ana lives in Lisbon', 'Tea, no sugar', 'The roof needs fixing before winter'];

describe('bulk addition audit', () => {
  it('stores one entry for a batch, and each memory’s history shows its creation', async () => {
    const { client, profileId } = await open();
    const added = await client.memories.addMany(TEXTS.map((text) => ({ text })));
    const ids = added.map((item) => item.id);

    const rows = await rawAudit(profileId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'create', entity: 'memory', actor: 'user', entityIds: ids });

    const recent = await client.memories.audit();
    expect(recent).toHaveLength(1);
    expect(recent[0]!.entityIds).toEqual(ids);

    for (const id of ids) {
      const history = await client.memories.history(id);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ action: 'create', entity: 'memory', entityId: id, actor: 'user' });
      expect(history[0]!.entityIds).toBeUndefined();
    }

    // A later change of one memory joins its history after the creation; the others are unaffected.
    await client.memories.update(ids[1]!, { text: 'Tea, no sugar, with lemon' });
    expect((await client.memories.history(ids[1]!)).map((entry) => entry.action)).toEqual(['create', 'update']);
    await client.memories.delete(ids[0]!);
    expect((await client.memories.history(ids[0]!)).map((entry) => entry.action)).toEqual(['create', 'delete']);
    expect((await client.memories.history(ids[2]!)).map((entry) => entry.action)).toEqual(['create']);
    // The batch entry holds no words, so deleting one of its memories leaves it as it was.
    const batch = (await rawAudit(profileId)).find((row) => Array.isArray(row.entityIds));
    expect(batch?.redacted).toBeUndefined();
  });

  it('keeps one addition as its own entry', async () => {
    const { client, profileId } = await open();
    const item = await client.memories.add('Just one');
    const rows = await rawAudit(profileId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ entityId: item.id, action: 'create' });
    expect(rows[0]!.entityIds).toBeUndefined();
  });

  it('keeps only the ids in clear in an encrypted profile', async () => {
    const passphrase = 'quiet orchard lantern 7';
    const { client, profileId } = await open(undefined, passphrase);
    const added = await client.memories.addMany(TEXTS.map((text) => ({ text })));
    const ids = added.map((item) => item.id);
    const rows = await rawAudit(profileId);
    const batch = rows.find((row) => Array.isArray(row.entityIds));
    expect(batch?.entityIds).toEqual(ids);
    expect(batch?.sealed).toBeInstanceOf(ArrayBuffer);
    expect(Object.keys(batch!).sort()).toEqual(['at', 'entity', 'entityId', 'entityIds', 'sealed', 'seq']);
    expect(await client.memories.history(ids[2]!)).toMatchObject([{ action: 'create', entityId: ids[2], actor: 'user' }]);
  });

  it('survives an export and an import', async () => {
    const { client } = await open();
    const added = await client.memories.addMany(TEXTS.map((text) => ({ text })));
    const exported = await client.data.export();
    const { client: target } = await open();
    await target.data.import(exported);
    for (const item of added) {
      expect(await target.memories.history(item.id)).toMatchObject([{ action: 'create', entityId: item.id }]);
    }
    expect((await target.memories.audit()).filter((entry) => entry.entityIds)).toHaveLength(1);
  });
});
