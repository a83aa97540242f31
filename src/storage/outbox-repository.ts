/**
 * The {@link OutboxStore} port over Dexie (the `outbox` table). Every status change runs in one
 * rw transaction, so two runners can never claim the same job; when the profile is encrypted,
 * only the fields that queries need stay in clear (see `CLEAR_FIELDS.outbox`) and the payload,
 * error and dedupe key are sealed. One runner per database across tabs through Web Locks (an
 * in-realm lock where they are missing), and added jobs are announced to other tabs.
 */
import { Dexie, type Table } from 'dexie';
import { toMemoryError } from '../sdk/errors';
import { byDueTime } from '../core/pipeline/outbox-jobs';
import { localRunnerLock } from '../core/pipeline/outbox-lock';
import type { OutboxJob, OutboxState, OutboxStore, ReleaseRunner } from '../core/pipeline/outbox-types';
import type { LayerRow, MnemeDatabase } from './db';
import { plainCodec, readable, type RecordCodec, type StoredRow } from './codec';

/** The clear fields of a row, as the queries below read them. */
type OutboxRow = LayerRow & Pick<OutboxJob, 'kind' | 'state' | 'runAfter' | 'attempts' | 'createdAt' | 'updatedAt'>;

export function createOutboxRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): OutboxStore {
  const table = db.outbox as unknown as Table<OutboxRow, string>;
  const channelName = `mneme:${db.name}:outbox`;
  const encode = async (job: OutboxJob) => (await codec.encodeRow('outbox', job)) as OutboxRow;
  const decode = (row: OutboxRow) => codec.decodeRow<OutboxJob>('outbox', row as StoredRow);
  const decodeAll = async (rows: OutboxRow[]) => (await readable(rows, decode)).sort(byCreation);
  const inState = (state: OutboxState) => table.where('state').equals(state).toArray();
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };

  return {
    add: (job) =>
      guard(async () => {
        const row = await encode(job);
        const result = await db.transaction('rw', table, async () => {
          if (job.dedupeKey !== undefined) {
            // The key is sealed when encrypted: open the pending rows (not an IndexedDB request, hence waitFor).
            const pending = await Dexie.waitFor(readable(await inState('pending'), decode));
            const existing = pending.find((other) => other.dedupeKey === job.dedupeKey);
            if (existing) return { job: existing, added: false };
          }
          await table.add(row);
          return { job, added: true };
        });
        if (result.added) announce(channelName);
        return result;
      }),
    claim: ({ now, kinds, limit }) =>
      guard(async () => {
        if (kinds.length === 0 || limit < 1) return [];
        const claimed = await db.transaction('rw', table, async () => {
          const due = (await inState('pending')).filter((row) => row.runAfter <= now && kinds.includes(row.kind)).sort(byDueTime);
          const kind = due[0]?.kind;
          const batch = due
            .filter((row) => row.kind === kind)
            .slice(0, limit)
            .map((row): OutboxRow => ({ ...row, state: 'running', updatedAt: now }));
          if (batch.length > 0) await table.bulkPut(batch);
          return batch;
        });
        return readable(claimed, decode);
      }),
    settle: (jobs) =>
      guard(async () => {
        const rows = await Promise.all(jobs.map(encode));
        await db.transaction('rw', table, async () => {
          const stored = await table.bulkGet(rows.map((row) => row.id));
          const claimed = rows.filter((_, i) => stored[i]?.state === 'running');
          if (claimed.length > 0) await table.bulkPut(claimed);
        });
      }),
    recover: (now) => guard(() => table.where('state').equals('running').modify({ state: 'pending', updatedAt: now })),
    retry: (id, now) =>
      guard(async () => {
        const row = await db.transaction('rw', table, async () => {
          const stored = await table.get(id);
          if (stored?.state !== 'failed') return undefined;
          const pending: OutboxRow = { ...stored, state: 'pending', attempts: 0, runAfter: now, updatedAt: now };
          await table.put(pending);
          return pending;
        });
        return row && decode(row);
      }),
    list: (state) => guard(async () => decodeAll(state ? await inState(state) : await table.toArray())),
    counts: () =>
      guard(async () => {
        const counts = { pending: {}, running: {}, failed: {} } as Record<
          'pending' | 'running' | 'failed',
          Record<string, number>
        >;
        await table
          .where('state')
          .anyOf(['pending', 'running', 'failed'])
          .each((row) => {
            const byKind = counts[row.state as keyof typeof counts];
            byKind[row.kind] = (byKind[row.kind] ?? 0) + 1;
          });
        return counts;
      }),
    nextRunAfter: (kinds) =>
      guard(async () => {
        let next: number | undefined;
        for (const row of await inState('pending')) {
          if (kinds.includes(row.kind) && (next === undefined || row.runAfter < next)) next = row.runAfter;
        }
        return next;
      }),
    prune: (before) =>
      guard(() =>
        table
          .where('state')
          .equals('done')
          .filter((row) => row.updatedAt < before)
          .delete(),
      ),
    acquireRunner: (signal) => {
      const locks = (globalThis.navigator as Navigator | undefined)?.locks;
      return locks ? acquireWebLock(locks, channelName, signal) : localRunnerLock(channelName).acquire(signal);
    },
    watch: (listener) => {
      if (typeof BroadcastChannel === 'undefined') return () => undefined;
      const channel = new BroadcastChannel(channelName);
      channel.onmessage = () => listener();
      return () => channel.close();
    },
  };
}

/** Oldest first (ids sort by creation). */
function byCreation(a: OutboxJob, b: OutboxJob): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Tells runners in other tabs (or other connections in this one) that a job was added. */
function announce(channelName: string): void {
  if (typeof BroadcastChannel === 'undefined') return;
  const channel = new BroadcastChannel(channelName);
  channel.postMessage('added');
  channel.close();
}

/** Holds the Web Lock `name` until the returned function is called; the browser frees it when the tab dies. */
function acquireWebLock(locks: LockManager, name: string, signal: AbortSignal): Promise<ReleaseRunner> {
  return new Promise<ReleaseRunner>((resolve, reject) => {
    locks
      .request(name, { signal }, () => new Promise<void>((release) => resolve(() => release())))
      .catch((error: unknown) => reject(toMemoryError(error, 'STORAGE_FAILED')));
  });
}
