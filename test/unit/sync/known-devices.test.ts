/**
 * The devices a syncing device knows of, over the real PouchDB replica (memory adapter, no server:
 * the test writes other devices' versions into it as replication would). Version names are per
 * device, so a merge reads the versions of every device known: the memory sync and the record
 * sync each learn devices from their own documents, and after a restart each must still know the
 * devices the other learned, or a merge misses a version and the devices do not converge.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { MemoryItem } from '../../../src/sdk/types';
import { formatStamp, HybridClock } from '../../../src/sync/hlc';
import { deriveSyncKeys, generateSyncKey, type SyncKeys } from '../../../src/sync/keys';
import type { MemoryVersion } from '../../../src/sync/merge';
import { MemorySync, type MemoryTarget } from '../../../src/sync/memory-sync';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import type { SyncReplica } from '../../../src/sync/port';
import type { RecordKind, RecordVersion } from '../../../src/sync/record-kinds';
import { RecordSync, type RecordTarget } from '../../../src/sync/record-sync';
import { KnownDevices } from '../../../src/sync/known-devices';
import { noteItem as item } from '../../support/items';

/** A record type whose merge is the union of every device's values: a missed device shows as a missing value. */
const tagKind: RecordKind<string[]> = {
  type: 'tag',
  merge: (versions) => [...new Set(versions.flatMap((version) => version.value ?? []))].sort(),
  actorOf: () => 'user',
};

/** What device `a` stores: memories and tag records. */
function storage() {
  const memories = new Map<string, MemoryItem>();
  const tags = new Map<string, unknown>();
  const memoryTarget: MemoryTarget = {
    get: (id) => memories.get(id),
    lastActor: async () => 'user',
    apply: async (puts, deletes) => {
      for (const { item: put } of puts) memories.set(put.id, put);
      for (const { id } of deletes) memories.delete(id);
    },
  };
  const recordTarget: RecordTarget = {
    read: async () => new Map(tags),
    apply: async (_type, puts, deletes) => {
      for (const [id, value] of puts) tags.set(id, value);
      for (const id of deletes) tags.delete(id);
    },
  };
  return { memories, tags, memoryTarget, recordTarget };
}

type Store = ReturnType<typeof storage>;

/** Device `a`'s two syncers over its replica, as sync-control starts them. */
async function startSyncers(replica: SyncReplica, store: Store) {
  const clock = new HybridClock(() => 1_000);
  const errors: unknown[] = [];
  const devices = new KnownDevices(replica, 'a');
  await devices.load();
  const records = new RecordSync({
    replica,
    device: 'a',
    clock,
    devices,
    kinds: [tagKind as RecordKind],
    target: () => store.recordTarget,
    onMerged: () => undefined,
    onError: (error) => errors.push(error),
  });
  const memories = new MemorySync({
    replica,
    device: 'a',
    clock,
    devices,
    target: store.memoryTarget,
    ignores: (body) => records.handles(body),
    onMerged: () => undefined,
    onError: (error) => errors.push(error),
  });
  await memories.load();
  await records.load();
  const pull = async () => {
    memories.pull();
    records.pull();
    await memories.idle();
    await records.idle();
  };
  return { pull, errors };
}

const memoryVersion = (device: string, wall: number, text: string): MemoryVersion => ({
  type: 'memory',
  id: 'm1',
  device,
  hlc: formatStamp(wall, 0),
  actor: 'user',
  seen: {},
  item: item('m1', text),
});
const tagVersion = (device: string, wall: number, value: string[]): RecordVersion<string[]> => ({
  type: 'tag',
  id: 't1',
  device,
  hlc: formatStamp(wall, 0),
  actor: 'user',
  seen: {},
  value,
});

const open = (name: string, keys: SyncKeys) =>
  createPouchReplica({ name, url: 'http://127.0.0.1:9/', keys, adapter: 'memory', plugins: [memoryAdapter] });

describe('the devices a device knows of', () => {
  it.each([
    ['the record sync learns its device first', ['records', 'memories'] as const],
    ['the memory sync learns its device first', ['memories', 'records'] as const],
  ])('survive a restart whichever sync learned them (%s)', async (_name, order) => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const name = `known-devices-${order.join('-')}-${Date.now()}`;
    const store = storage();
    let replica = await open(name, keys);
    try {
      // Before the restart: device b's memory arrives, and device c's tag record, one after the other.
      let run = await startSyncers(replica, store);
      for (const which of order) {
        if (which === 'memories') await replica.put('memory:b:m1', memoryVersion('b', 3_000, 'b wrote this later'));
        else await replica.put('tag:c:t1', tagVersion('c', 2_000, ['from c']));
        await run.pull();
      }
      expect(store.memories.get('m1')?.text).toBe('b wrote this later');
      expect(store.tags.get('t1')).toEqual(['from c']);

      // The tab closes and opens again.
      await replica.stop();
      replica = await open(name, keys);
      run = await startSyncers(replica, store);

      // Then c's concurrent, older edit of the memory and b's concurrent tag value arrive: the merge
      // must still read b's memory version and c's tag version, which arrived before the restart.
      await replica.put('memory:c:m1', memoryVersion('c', 2_500, 'c wrote this earlier'));
      await replica.put('tag:b:t1', tagVersion('b', 2_600, ['from b']));
      await run.pull();
      expect(store.memories.get('m1')?.text).toBe('b wrote this later');
      expect(store.tags.get('t1')).toEqual(['from b', 'from c']);
      expect(run.errors).toEqual([]);
    } finally {
      await replica.destroy();
    }
  });
});

describe('the kept set of known devices', () => {
  it('is rebuilt from the replica when an older version kept an incomplete list', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const replica = await open(`known-devices-legacy-${Date.now()}`, keys);
    try {
      await replica.put('memory:b:m1', memoryVersion('b', 3_000, 'from b'));
      await replica.put('tag:c:t1', tagVersion('c', 2_000, ['from c']));
      await replica.writeLocal('devices', ['a', 'b']); // what the record sync's list lost to the memory sync's
      const devices = new KnownDevices(replica, 'a');
      await devices.load();
      expect(devices.list().sort()).toEqual(['a', 'b', 'c']);
      expect((await replica.readLocal<string[]>('known-devices'))?.sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await replica.destroy();
    }
  });

  it('keeps what every writer added (two tabs of one device)', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const replica = await open(`known-devices-tabs-${Date.now()}`, keys);
    try {
      const [first, second] = [new KnownDevices(replica, 'a'), new KnownDevices(replica, 'a')];
      await Promise.all([first.load(), second.load()]);
      await first.add(['b']);
      await second.add(['c']);
      const after = new KnownDevices(replica, 'a');
      await after.load();
      expect(after.list().sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await replica.destroy();
    }
  });
});
