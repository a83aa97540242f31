/**
 * What one local check of the synced records costs in a profile holding `records` audit entries
 * (one per memory written): each round adds one entry and times the record sync comparing and
 * sending until it is idle, first comparing every record (the sync without change tracking), then
 * reading only what the profile's writes touched. Real IndexedDB for the profile and the replica;
 * nothing replicates (no server), so only the check itself is timed.
 */
import { openDatabase, type AuditRow } from '../../src/storage/db';
import { plainCodec } from '../../src/storage/codec';
import { memoryAudit } from '../../src/core/semantic/memory-audit';
import type { PrivacyApi, PrivacyState } from '../../src/sdk/privacy';
import { HybridClock } from '../../src/sync/hlc';
import { deriveSyncKeys, generateSyncKey } from '../../src/sync/keys';
import { canonical } from '../../src/sync/merge';
import { createPouchReplica } from '../../src/sync/pouch-replica';
import { RECORD_KINDS } from '../../src/sync/record-kinds';
import { RecordSync } from '../../src/sync/record-sync';
import { recordTarget, watchRecordTables } from '../../src/sync/record-target';

export interface RecordCheckResult {
  records: number;
  /** Median of one check comparing every record. */
  wholeMs: number;
  /** Median of one check reading only the records written since the last one. */
  trackedMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureRecordCheck(records: number, rounds: number): Promise<RecordCheckResult> {
  const tag = `benchcheck${Date.now()}`;
  const db = openDatabase(tag);
  const item = (i: number) => ({
    id: `m${i}`,
    text: `a memory of the check benchmark, number ${i}`,
    kind: 'note' as const,
    importance: 0.5,
    pinned: false,
    createdAt: i,
    updatedAt: i,
    validFrom: i,
    metadata: {},
  });
  const entry = (i: number) => memoryAudit(i, 'user', 'create', `m${i}`, undefined, item(i)) as unknown as AuditRow;
  await db.audit.bulkAdd(Array.from({ length: records }, (_, i) => entry(i)));
  let state: PrivacyState = { retention: {}, doNotRemember: { rules: [], patterns: [] } };
  const privacy: PrivacyApi = { get: async () => state, set: async (next) => (state = { ...state, ...next } as PrivacyState) };
  const target = recordTarget({ db, codec: plainCodec, lock: { withWriteLock: (work) => work() }, privacy });
  const keys = await deriveSyncKeys(generateSyncKey());
  const replica = await createPouchReplica({ name: `${tag}-replica`, url: 'http://127.0.0.1:9/', keys });
  // As after a first upload: every entry counts as sent.
  const audit = await target.read('audit');
  await replica.writeLocal('known-audit', Object.fromEntries([...audit].map(([id, entry]) => [id, canonical(entry)])));
  let next = records;
  const timeChecks = async (sync: RecordSync) => {
    await sync.load();
    sync.changed();
    await sync.idle(); // the first check after a start compares everything in both
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const i = next++;
      await db.audit.add(entry(i));
      const start = performance.now();
      sync.changed();
      await sync.idle();
      times.push(performance.now() - start);
    }
    sync.close();
    return median(times);
  };
  const options = {
    replica,
    device: 'bench',
    clock: new HybridClock(() => Date.now()),
    kinds: RECORD_KINDS,
    target: () => target,
    onMerged: () => undefined,
    onError: (error: Error) => {
      throw error;
    },
  };
  const wholeMs = await timeChecks(new RecordSync(options));
  const trackedMs = await timeChecks(new RecordSync({ ...options, watch: (note) => watchRecordTables(() => db.name, note) }));
  await replica.destroy();
  db.close();
  await db.delete();
  return { records, wholeMs, trackedMs };
}
