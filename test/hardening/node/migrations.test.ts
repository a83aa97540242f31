/**
 * Migrations: a profile written by any earlier version of Mneme opens with nothing lost.
 *
 * For every earlier on-disk format (test/hardening/fixtures/migrations.ts lists them: schema 1,
 * schema 2 as first written, float32 and float16 vector chunks, each shape of the lexical
 * snapshot, both sealing rules), a trial writes a fixture database with the raw IndexedDB API
 * exactly as that version did, then opens it with today's client and checks: every memory
 * (text, kind, importance, timestamps, metadata) and its vector (float32 exact, float16 as
 * stored) through the export; search by a keyword and by a vector; sessions, turns, summaries,
 * profile, episodes, outbox, audit and the profile registry through the public API; then that a
 * second open leaves every stored byte as the first left it.
 */
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { accessDay } from '../../../src/core/archive/policies';
import type { ExportFile } from '../../../src/storage/export-schema';
import { Tally, trials } from '../harness';
import {
  FORMATS,
  PASSPHRASE,
  CURRENT_SCHEMA,
  buildFixture,
  fixtureEmbedder,
  nameOf,
  probeOf,
  type Fixture,
} from '../fixtures/migrations';
import { storesFromDexie, writeRawDatabase } from '../fixtures/raw-idb';
import { CURRENT_FORMAT, hasSealMagic } from '../../../src/storage/crypto/cipher';

const tally = new Tally('migrations');
afterAll(() => tally.report());

/** Every stored row of every object store, read with the raw API, and each store's key and indexes. */
async function dump(name: string): Promise<Record<string, unknown[]>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const stores = [...db.objectStoreNames];
  const out: Record<string, unknown[]> = {};
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(stores, 'readonly');
    for (const store of stores) {
      const objectStore = tx.objectStore(store);
      const indexes = [...objectStore.indexNames].map((index) => {
        const { keyPath, multiEntry } = objectStore.index(index);
        return multiEntry ? [index, keyPath, 'multiEntry'] : [index, keyPath];
      });
      out[`${store} (schema)`] = [objectStore.keyPath, objectStore.autoIncrement, ...indexes];
      const request = objectStore.getAll();
      request.onsuccess = () => (out[store] = request.result);
    }
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
  return out;
}

function open(fixture: Fixture): Promise<MemoryClient> {
  return createMemoryClient({
    inWorker: false,
    storageName: fixture.storageName,
    profileId: fixture.profileId,
    embedder: fixtureEmbedder(fixture.probes, fixture.model, fixture.dim),
    ...(fixture.encrypted ? { encryption: { passphrase: PASSPHRASE } } : {}),
  });
}

const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));

/** Compares two lists of rows by id; returns at most a few problems. */
function sameRows(label: string, actual: { id: string }[], expected: { id: string }[]): string[] {
  const problems: string[] = [];
  const got = byId(actual);
  if (actual.length !== expected.length) problems.push(`${label}: ${actual.length} rows, expected ${expected.length}`);
  for (const row of expected) {
    const found = got.get(row.id);
    if (!found) problems.push(`${label} ${row.id}: missing`);
    else if (!isDeepStrictEqual(JSON.parse(JSON.stringify(found)), JSON.parse(JSON.stringify(row))))
      problems.push(`${label} ${row.id}: read back ${JSON.stringify(found)}, expected ${JSON.stringify(row)}`);
    if (problems.length >= 3) break;
  }
  return problems;
}

/** Everything the client must read back from the fixture. */
async function verify(client: MemoryClient, fixture: Fixture, pick: () => number): Promise<string[]> {
  const { expected } = fixture;
  const problems: string[] = [];
  const status = await client.status();
  if (status.encryption.locked) return ['the profile opened locked'];

  // Memories and vectors, all of them, through the export.
  const file = JSON.parse(await client.data.export({ plaintext: true })) as ExportFile;
  // A last use is kept to the day (an open rounds an exact one in the background sweep).
  const toDay = <M extends { id: string; lastAccessedAt?: number | undefined }>(m: M): M =>
    m.lastAccessedAt === undefined ? m : { ...m, lastAccessedAt: accessDay(m.lastAccessedAt) };
  problems.push(...sameRows('memory', file.memories.map(toDay), expected.memories.map(toDay)));
  const vectors = new Map(file.vectors.filter((v) => v.model === fixture.model).map((v) => [v.id, v]));
  if (vectors.size !== expected.vectors.size) problems.push(`${vectors.size} vectors, expected ${expected.vectors.size}`);
  let vectorProblems = 0;
  for (const [id, want] of expected.vectors) {
    const entry = vectors.get(id);
    const got = entry && new Float32Array(new Uint8Array(Buffer.from(entry.data, 'base64')).buffer);
    if (!got || got.length !== want.length || got.some((value, d) => value !== want[d])) {
      if (vectorProblems++ < 3) problems.push(`vector ${id}: ${got ? `differs (first ${got[0]} vs ${want[0]})` : 'missing'}`);
    }
  }
  if ((await client.memories.count()) !== expected.memories.length) problems.push(`count() is ${await client.memories.count()}`);
  const listed = await client.memories.list({ limit: 20_000 });
  if (listed.length !== expected.memories.length) problems.push(`list() returned ${listed.length}`);

  // Search by a keyword (the memory's unique name) and by a vector (a probe sharing no word).
  // Turns of one conversation lend each other score (neighbours): targets are other kinds.
  const searchable = expected.memories.flatMap((m, i) =>
    m.validTo === undefined && m.archivedAt === undefined && m.kind !== 'turn' ? [i] : [],
  );
  for (let k = 0; k < 4; k++) {
    const i = searchable[pick() % searchable.length]!;
    const id = expected.memories[i]!.id;
    const keyword = await client.memories.search(nameOf(i), { limit: 5 });
    if (keyword[0]?.item.id !== id)
      problems.push(`keyword "${nameOf(i)}" found ${keyword[0]?.item.id ?? 'nothing'}, expected ${id}`);
    const dense = await client.memories.search(probeOf(i), { limit: 5 });
    if (dense[0]?.item.id !== id || !dense[0].explanation.via.includes('dense'))
      problems.push(`vector probe for ${id} found ${dense[0]?.item.id ?? 'nothing'} via ${dense[0]?.explanation.via.join('+')}`);
  }

  // Every other layer: the rows as stored (through the export) and through the public API.
  const tables = file.tables as Record<string, { id: string }[]>;
  problems.push(...sameRows('session', tables.sessions ?? [], expected.sessions));
  problems.push(...sameRows('turn', tables.turns ?? [], expected.turns));
  problems.push(...sameRows('summary', tables.summaries ?? [], expected.summaries as { id: string }[]));
  problems.push(...sameRows('profile entry', tables.profileFields ?? [], expected.profileFields));
  problems.push(...sameRows('episode', tables.episodes ?? [], expected.episodes));
  problems.push(...sameRows('outbox job', tables.outbox ?? [], expected.outbox));
  const audit = (tables.audit ?? []) as unknown as { seq: number }[];
  problems.push(
    ...sameRows(
      'audit',
      audit.map((row) => ({ ...row, id: String(row.seq) })),
      expected.audit.map((row) => ({ ...row, id: String(row.seq) })),
    ),
  );

  const sessions = await client.sessions.list();
  const order = [...expected.sessions].sort((a, b) => b.updatedAt - a.updatedAt).map((s) => s.id);
  if (
    !isDeepStrictEqual(
      sessions.map((s) => s.id),
      order,
    )
  )
    problems.push(`sessions.list() gave ${sessions.map((s) => s.id)}`);
  for (const session of expected.sessions) {
    const turns = await client.sessions.turns(session.id, { includeArchived: true });
    const want = expected.turns.filter((t) => t.sessionId === session.id).sort((a, b) => a.seq - b.seq);
    if (
      !isDeepStrictEqual(
        turns.map((t) => [t.id, t.seq, t.content]),
        want.map((t) => [t.id, t.seq, t.content]),
      )
    )
      problems.push(`turns of ${session.id}: ${turns.map((t) => `${t.id}@${t.seq}`).join(',')}`);
    const live = await client.sessions.turns(session.id);
    if (live.length !== want.filter((t) => t.archivedAt === undefined).length)
      problems.push(`live turns of ${session.id}: ${live.length}`);
    const summary = await client.sessions.summary(session.id);
    const wantSummary = expected.summaries.find((s) => s.sessionId === session.id);
    if (summary?.text !== wantSummary?.text) problems.push(`summary of ${session.id}: ${summary?.text}`);
  }
  const { entries } = await client.profile.get();
  if (!isDeepStrictEqual(entries.map((e) => e.id).sort(), expected.profileFields.map((e) => e.id).sort()))
    problems.push(`profile entries ${entries.map((e) => e.id)}`);
  const episodes = await client.episodes.list();
  if (!isDeepStrictEqual(episodes.map((e) => e.id).sort(), expected.episodes.map((e) => e.id).sort()))
    problems.push(`episodes ${episodes.map((e) => e.id)}`);
  const jobs = await client.outbox.list();
  if (jobs.length !== expected.outbox.length) problems.push(`outbox lists ${jobs.length} jobs`);
  const audited = expected.audit.find((entry) => entry.entity === 'memory' && entry.action === 'create');
  if (audited && (await client.memories.history(audited.entityId)).length !== 1) problems.push(`history of ${audited.entityId}`);

  const profiles = await client.profiles.list();
  for (const want of expected.profiles) {
    const got = profiles.find((p) => p.id === want.id);
    if (!got || got.name !== want.name || got.createdAt !== want.createdAt)
      problems.push(`profile ${want.id}: ${JSON.stringify(got)}`);
  }
  // Nothing decays or expires on opening: the sweep finds nothing to do.
  const swept = await client.memories.sweep();
  if (swept.archived.length + swept.deleted.length > 0) problems.push(`the sweep changed ${JSON.stringify(swept)}`);
  return problems;
}

describe('migrations', () => {
  it('opens a profile of every earlier format with nothing lost, and a second open changes nothing', async () => {
    const rounds = trials(3, 1);
    for (let round = 0; round < rounds; round++) {
      for (const format of FORMATS) {
        const seed = tally.random.int(1, 1e6);
        const count = round === 0 ? 320 : tally.random.int(300, 700);
        await tally.trial(`${format} (${count} memories, seed ${seed})`, async () => {
          const fixture = await buildFixture({
            format,
            seed,
            count,
            now: Date.now(),
            storageName: `migrations-${format}-${round}`,
          });
          for (const database of fixture.raw) await writeRawDatabase(database);
          const settings = fixture.raw[0]!.rows.settings as { key: string }[];
          const pick = () => tally.random.int(0, 1e9);

          const first = await open(fixture);
          const problems = await verify(first, fixture, pick);
          await first.close();
          const name = fixture.raw[0]!.name;
          const afterFirst = await dump(name);
          // The stores and indexes today's code declares, whatever the fixture had.
          for (const store of storesFromDexie(CURRENT_SCHEMA)) {
            const got = afterFirst[`${store.name} (schema)`];
            const want = [
              store.keyPath,
              store.autoIncrement,
              ...store.indexes.map((index) => [index.name, index.keyPath, ...(index.multiEntry ? ['multiEntry'] : [])]),
            ];
            if (!got) problems.push(`no ${store.name} store`);
            else if (!isDeepStrictEqual([got[0], got[1], ...got.slice(2).sort()], [want[0], want[1], ...want.slice(2).sort()]))
              problems.push(`${store.name} stored as ${JSON.stringify(got)}, declared ${JSON.stringify(want)}`);
          }
          for (const setting of fixture.expected.settings) {
            const kept = (afterFirst.settings as { key: string }[]).find((row) => row.key === setting.key);
            if (!isDeepStrictEqual(kept, setting)) problems.push(`setting ${setting.key} became ${JSON.stringify(kept)}`);
          }
          if (settings.some((row) => row.key === 'crypto.envelope')) {
            const envelope = (afterFirst.settings as { key: string }[]).find((row) => row.key === 'crypto.envelope');
            if (!envelope) problems.push('the key envelope is gone');
            // Re-encoded in today's format at the unlock: padded, every sealed value with its magic.
            const format = (envelope as { value?: { format?: number } } | undefined)?.value?.format;
            if (format !== CURRENT_FORMAT) problems.push(`the envelope says format ${format}, not ${CURRENT_FORMAT}`);
            const stale = (afterFirst.memories as { sealed?: unknown }[]).filter(
              (row) => !hasSealMagic(row.sealed, CURRENT_FORMAT),
            );
            if (stale.length > 0) problems.push(`${stale.length} memories not sealed in format ${CURRENT_FORMAT}`);
          }

          const second = await open(fixture);
          problems.push(...(await verify(second, fixture, pick)).map((p) => `second open: ${p}`));
          await second.close();
          const afterSecond = await dump(name);
          for (const store of Object.keys(afterFirst)) {
            if (!isDeepStrictEqual(afterFirst[store], afterSecond[store])) problems.push(`the second open rewrote ${store}`);
          }
          return problems;
        });
      }
    }
  });
});
