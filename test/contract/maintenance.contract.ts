/**
 * `maintenance.verify()`: a healthy profile reports nothing; each kind of damage, made with raw
 * writes the way a crash, a bug or a bad disk would leave it, is found, repaired when it can be
 * rebuilt, and left reported (never deleted) when it cannot.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryClient, VerifyCheck, VerifyReport } from '../../src/sdk/index';
import { DEFAULTS } from '../../src/sdk/options';
import { databaseName, openDatabase, type MnemeDatabase } from '../../src/storage/db';
import type { ClientFactory } from './client.contract';
import { reembedded } from './events';
import { NOTES } from './notes';
import { factoryOf } from './raw-dump';

const TOY = 'fixtures/toy-bow-embedder-384';
let counter = 0;

/** Waits for the background re-embedding that a repair starts, then checks again. */
async function settled(client: MemoryClient): Promise<VerifyReport> {
  await reembedded(client);
  expect((await client.status()).retrieval).toBe('hybrid');
  return client.maintenance.verify({ repair: false });
}

const checks = (report: VerifyReport): VerifyCheck[] => report.problems.map((problem) => problem.check).sort();

export function describeMaintenanceContract(name: string, create: ClientFactory): void {
  describe(`maintenance.verify: ${name}`, () => {
    async function filled(): Promise<{ client: MemoryClient; raw: MnemeDatabase; ids: string[] }> {
      const profileId = `verify${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: TOY });
      const ids = (await client.memories.addMany(NOTES.map((text) => ({ text })))).map((item) => item.id);
      const session = await client.sessions.create('Trip');
      await client.sessions.append(session.id, { role: 'user', content: 'Where should we hike?' });
      const name = databaseName(DEFAULTS.storageName, profileId);
      const raw = openDatabase(name, await factoryOf(name));
      await raw.open();
      return { client, raw, ids };
    }

    it('finds nothing wrong in a healthy profile, and says what it read', async () => {
      const { client, raw } = await filled();
      try {
        const report = await client.maintenance.verify();
        expect(report).toMatchObject({ ok: true, healthy: true, problems: [] });
        expect(report.checked.memories).toBe(NOTES.length);
        expect(report.checked.vectors).toBe(NOTES.length);
        expect(report.checked.records).toBeGreaterThanOrEqual(2);
      } finally {
        raw.close();
        await client.close();
      }
    });

    it('re-embeds a memory whose vector slot was lost, and search finds it by meaning again', async () => {
      const { client, raw, ids } = await filled();
      try {
        const [chunk] = await raw.vectorChunks.toArray();
        const slot = chunk!.ids.indexOf(ids[2]!);
        chunk!.ids[slot] = null;
        await raw.vectorChunks.put(chunk!);

        const report = await client.maintenance.verify();
        expect(checks(report)).toEqual(['index-out-of-date', 'missing-vector']);
        expect(report.problems.find((p) => p.check === 'missing-vector')).toMatchObject({ ids: [ids[2]], repaired: true });
        expect(report).toMatchObject({ ok: false, healthy: true });
        expect(await settled(client)).toMatchObject({ ok: true });
        const [hit] = await client.memories.search('winter tyres for the car');
        expect(hit?.item.id).toBe(ids[2]);
      } finally {
        raw.close();
        await client.close();
      }
    });

    it('drops vectors and index entries of a memory deleted behind its back, and a damaged vector block', async () => {
      const { client, raw, ids } = await filled();
      try {
        await raw.memories.delete(ids[0]!);
        const [chunk] = await raw.vectorChunks.toArray();
        const report = await client.maintenance.verify();
        expect(checks(report)).toEqual(['index-out-of-date', 'orphan-vector']);
        expect(await client.memories.count()).toBe(NOTES.length - 1);
        expect(await client.memories.get(ids[0]!)).toBeUndefined();

        await raw.vectorChunks.put({ ...chunk!, data: chunk!.data.slice(0, 100) });
        const damaged = await client.maintenance.verify();
        expect(checks(damaged)).toContain('corrupt-vector-chunk');
        expect(damaged.healthy).toBe(true);
        expect(await settled(client)).toMatchObject({ ok: true, checked: { vectors: NOTES.length - 1 } });
      } finally {
        raw.close();
        await client.close();
      }
    });

    it('removes a turn left without its conversation', async () => {
      const { client, raw } = await filled();
      try {
        const [turn] = await raw.turns.toArray();
        await raw.turns.put({ ...turn!, id: 'stray-turn', sessionId: 'gone' });
        const report = await client.maintenance.verify();
        expect(report.problems).toEqual([
          expect.objectContaining({ check: 'orphan-record', where: 'turns', ids: ['stray-turn'], repaired: true }),
        ]);
        expect(await raw.turns.get('stray-turn')).toBeUndefined();
      } finally {
        raw.close();
        await client.close();
      }
    });

    it('reports a memory it cannot repair without deleting it, and only reports when asked not to repair', async () => {
      const { client, raw, ids } = await filled();
      try {
        const row = await raw.memories.get(ids[1]!);
        await raw.memories.put({ ...row!, kind: 'bogus' as never });
        await raw.memories.delete(ids[3]!);
        const before = await raw.vectorChunks.toArray();

        const report = await client.maintenance.verify({ repair: false });
        expect(report).toMatchObject({ ok: false, healthy: false });
        expect(report.problems.every((problem) => !problem.repaired)).toBe(true);
        expect(checks(report)).toEqual(['index-out-of-date', 'invalid-memory', 'orphan-vector']);
        expect(await raw.vectorChunks.toArray()).toEqual(before);

        const repaired = await client.maintenance.verify();
        expect(repaired.healthy).toBe(false);
        expect(repaired.problems.find((p) => p.check === 'invalid-memory')).toMatchObject({ ids: [ids[1]], repaired: false });
        expect(await raw.memories.get(ids[1]!)).toBeDefined();
      } finally {
        raw.close();
        await client.close();
      }
    });

    it('deleting a conversation deletes its summary too', async () => {
      const { client, raw } = await filled();
      try {
        const [session] = await client.sessions.list();
        await raw.summaries.put({ id: 'summary-1', sessionId: session!.id, createdAt: Date.now(), text: 'They talked hikes' });
        await client.sessions.delete(session!.id);
        expect(await raw.summaries.count()).toBe(0);
        expect((await client.maintenance.verify()).ok).toBe(true);
      } finally {
        raw.close();
        await client.close();
      }
    });
  });
}
