/**
 * Incremental change tracking of the records beside memories: after the first check, a check reads
 * only what the profile's committed writes touched (no table read whole), and still sends every
 * change: a new turn, a new audit entry, a deleted turn, a bulk write, and a write made while sync
 * was stopped. Real Dexie (fake-indexeddb) and a PouchDB replica in memory; no server.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import { memoryAudit } from '../../../src/core/semantic/memory-audit';
import type { PrivacyState } from '../../../src/sdk/privacy';
import type { MemoryItem, Turn } from '../../../src/sdk/types';
import { plainCodec } from '../../../src/storage/codec';
import { openDatabase, type AuditRow, type LayerRow } from '../../../src/storage/db';
import { HybridClock } from '../../../src/sync/hlc';
import { deriveSyncKeys, generateSyncKey } from '../../../src/sync/keys';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import { RECORD_KINDS, auditKey } from '../../../src/sync/record-kinds';
import { RecordSync, type RecordTarget } from '../../../src/sync/record-sync';
import { recordTarget, watchRecordTables } from '../../../src/sync/record-target';
import type { SyncReplica } from '../../../src/sync/port';

const item = (i: number): MemoryItem => ({
  id: `m${i}`,
  text: `memory number ${i}`,
  kind: 'note',
  importance: 0.5,
  pinned: false,
  createdAt: i,
  updatedAt: i,
  validFrom: i,
  metadata: {},
});
const audit = (i: number) => memoryAudit(1_000 + i, 'user', 'create', `m${i}`, undefined, item(i));
const entry = (i: number) => audit(i) as unknown as AuditRow;
const turn = (id: string, at: number): Turn & LayerRow =>
  ({ id, sessionId: 's1', role: 'user', content: `turn ${id}`, createdAt: at, seq: 0 }) as Turn & LayerRow;

let counter = 0;

async function setUp() {
  const name = `record-changes-${Date.now()}-${counter++}`;
  const db = openDatabase(name);
  await db.audit.bulkAdd(Array.from({ length: 300 }, (_, i) => entry(i)));
  let state: PrivacyState = { retention: {}, doNotRemember: { rules: [], patterns: [] } };
  const inner = recordTarget({
    db,
    codec: plainCodec,
    lock: { withWriteLock: (work) => work() },
    privacy: { get: async () => state, set: async (next) => (state = { ...state, ...next } as PrivacyState) },
  });
  /** Types read whole, and the table keys read as changed, since the last reset. */
  const seen = { whole: [] as string[], keys: [] as string[] };
  const target: RecordTarget = {
    ...inner,
    read: (type) => {
      seen.whole.push(type);
      return inner.read(type);
    },
    readChanged: (type, keys) => {
      seen.keys.push(...keys.map((key) => `${type}:${String(key)}`));
      return inner.readChanged!(type, keys);
    },
  };
  const replica = await createPouchReplica({
    name: `${name}-replica`,
    url: 'http://127.0.0.1:9/',
    keys: await deriveSyncKeys(generateSyncKey()),
    adapter: 'memory',
    plugins: [memoryAdapter],
  });
  const errors: Error[] = [];
  const start = async (watched = true) => {
    const sync = new RecordSync({
      replica,
      device: 'dev',
      clock: new HybridClock(() => Date.now()),
      kinds: RECORD_KINDS,
      target: () => target,
      onMerged: () => undefined,
      onError: (error) => errors.push(error),
      ...(watched ? { watch: (note: Parameters<typeof watchRecordTables>[1]) => watchRecordTables(() => db.name, note) } : {}),
    });
    await sync.load();
    return sync;
  };
  const check = async (sync: RecordSync) => {
    seen.whole.length = 0;
    seen.keys.length = 0;
    sync.changed();
    await sync.idle();
  };
  return { db, replica, seen, errors, start, check };
}

/** This device's version of a record, as the replica holds it. */
const sent = async (replica: SyncReplica, type: string, id: string) =>
  (await replica.get([`${type}:dev:${id}`]))[0] as { value?: unknown; deleted?: true } | undefined;

describe('record sync: incremental change tracking', () => {
  it('reads only the records written since the last check, and sends each change', async () => {
    const { db, replica, seen, errors, start, check } = await setUp();
    const sync = await start();
    await check(sync);
    // The first check after a start compares everything, and sends what was never sent.
    expect(seen.whole).toEqual(expect.arrayContaining(['session', 'turn', 'summary', 'profile', 'episode', 'audit']));
    expect((await sent(replica, 'audit', auditKey(audit(299))))?.value).toMatchObject({ entityId: 'm299' });

    await db.turns.put(turn('t1', 5));
    const seq = await db.audit.add(entry(300));
    await check(sync);
    expect(seen.whole).toEqual([]);
    expect(seen.keys.sort()).toEqual([`audit:${seq}`, 'turn:t1']);
    expect((await sent(replica, 'turn', 't1'))?.value).toMatchObject({ content: 'turn t1' });
    expect((await sent(replica, 'audit', auditKey(audit(300))))?.value).toMatchObject({ entityId: 'm300' });

    // A check with nothing written reads nothing.
    await check(sync);
    expect([seen.whole, seen.keys]).toEqual([[], []]);

    await db.turns.delete('t1');
    await check(sync);
    expect(seen.whole).toEqual([]);
    expect(await sent(replica, 'turn', 't1')).toMatchObject({ deleted: true });

    // A bulk write names no keys: that type is compared whole, and every row of it is sent.
    await db.turns.bulkPut(Array.from({ length: 60 }, (_, i) => turn(`b${i}`, 10 + i)));
    await check(sync);
    expect(seen.whole).toEqual(['turn']);
    expect((await sent(replica, 'turn', 'b59'))?.value).toMatchObject({ content: 'turn b59' });

    // Another device's turn arrives: the merge reads only that record, then stores it.
    await replica.put('turn:other:t9', {
      type: 'turn',
      id: 't9',
      device: 'other',
      hlc: '0000000000001-0000',
      actor: 'user',
      seen: {},
      value: { id: 't9', sessionId: 's1', role: 'user', content: 'from the other device', createdAt: 200 },
    });
    seen.whole.length = 0;
    sync.pull();
    await sync.idle();
    expect(seen.whole).toEqual([]);
    expect((await db.turns.get('t9'))?.content).toBe('from the other device');

    // Written while sync is stopped: the next start compares everything and sends it.
    sync.close();
    await db.turns.put(turn('t2', 100));
    const later = await start();
    await check(later);
    expect((await sent(replica, 'turn', 't2'))?.value).toMatchObject({ content: 'turn t2' });
    later.close();
    expect(errors).toEqual([]);
    await replica.destroy();
  });

  it('without a watch, every check compares every record (as before)', async () => {
    const { db, replica, seen, start, check } = await setUp();
    const sync = await start(false);
    await check(sync);
    await db.turns.put(turn('t1', 5));
    await check(sync);
    expect(seen.whole).toEqual(expect.arrayContaining(['session', 'turn', 'audit']));
    expect((await sent(replica, 'turn', 't1'))?.value).toMatchObject({ content: 'turn t1' });
    sync.close();
    await replica.destroy();
  });
});
