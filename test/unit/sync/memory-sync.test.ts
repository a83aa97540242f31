/**
 * MemorySync over an in-memory replica per device and a shared "server" that the test delivers in
 * any order: concurrent edits and deletes on several devices converge to one result on all.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ChangeActor, MemoryItem } from '../../../src/sdk/types';
import { HybridClock } from '../../../src/sync/hlc';
import { MemorySync, type MemoryTarget } from '../../../src/sync/memory-sync';
import type { ReplicaChange, ReplicaPosition, SyncReplica } from '../../../src/sync/port';
import type { MemoryError } from '../../../src/sdk/errors';
import { noteItem as memory } from '../../support/items';

/** Documents with revisions, as replication moves them: a newer revision replaces an older one. */
class FakeReplica implements SyncReplica {
  readonly docs = new Map<string, { rev: number; body: unknown }>();
  readonly log: string[] = [];
  readonly local = new Map<string, unknown>();
  async put(name: string, body: object) {
    this.store(name, { rev: (this.docs.get(name)?.rev ?? 0) + 1, body: structuredClone(body) });
    return name;
  }
  async putMany(records: readonly { name: string; body: object }[]) {
    const names: string[] = [];
    for (const { name, body } of records) names.push(await this.put(name, body));
    return names;
  }
  store(name: string, doc: { rev: number; body: unknown }) {
    this.docs.set(name, structuredClone(doc));
    this.log.push(name);
  }
  async get(names: readonly string[]) {
    return names.map((name) => structuredClone(this.docs.get(name)?.body));
  }
  async changes(since: ReplicaPosition | undefined) {
    const from = Number(since ?? 0);
    const names = [...new Set(this.log.slice(from))];
    const changes: ReplicaChange[] = names.map((name) => ({ docId: name, body: structuredClone(this.docs.get(name)?.body) }));
    return { changes, last: this.log.length };
  }
  async readLocal<T>(key: string) {
    return this.local.get(key) as T | undefined;
  }
  async writeLocal(key: string, value: unknown) {
    this.local.set(key, value);
  }
  start() {}
  kick() {}
  async stop() {}
  async destroy() {}
}

class FakeTarget implements MemoryTarget {
  readonly items = new Map<string, MemoryItem>();
  readonly actors = new Map<string, ChangeActor>();
  get(id: string) {
    return this.items.get(id);
  }
  async lastActor(id: string) {
    return this.actors.get(id) ?? 'user';
  }
  async apply(puts: { item: MemoryItem; actor: ChangeActor }[], deletes: { id: string; actor: ChangeActor }[]) {
    for (const { item, actor } of puts) {
      this.items.set(item.id, structuredClone(item));
      this.actors.set(item.id, actor);
    }
    for (const { id, actor } of deletes) {
      this.items.delete(id);
      this.actors.set(id, actor);
    }
  }
}

interface Device {
  name: string;
  replica: FakeReplica;
  target: FakeTarget;
  sync: MemorySync;
  errors: MemoryError[];
}

let now = 1_000;
const tick = () => now++;

async function makeDevice(name: string): Promise<Device> {
  const replica = new FakeReplica();
  const target = new FakeTarget();
  const errors: MemoryError[] = [];
  const sync = new MemorySync({
    replica,
    device: name,
    clock: new HybridClock(tick),
    target,
    onMerged: () => undefined,
    onError: (error) => errors.push(error),
  });
  await sync.load();
  return { name, replica, target, sync, errors };
}

/** A local change on a device, then the device writes its version. */
async function change(device: Device, id: string, text: string | undefined, actor: ChangeActor = 'user') {
  if (text === undefined) device.target.items.delete(id);
  else device.target.items.set(id, { ...memory(id, text), updatedAt: tick() });
  device.target.actors.set(id, actor);
  device.sync.committed([id]);
  await device.sync.idle();
}

/** Replication both ways between a device and the server (newer revisions win), then the device merges. */
async function exchange(device: Device, server: FakeReplica) {
  const copy = (from: FakeReplica, to: FakeReplica) => {
    for (const [name, doc] of from.docs) if (doc.rev > (to.docs.get(name)?.rev ?? 0)) to.store(name, doc);
  };
  copy(device.replica, server);
  copy(server, device.replica);
  device.sync.pull();
  await device.sync.idle();
}

async function settle(devices: Device[], server: FakeReplica) {
  // Two rounds: what a merge on one device wrote reaches the others.
  for (let round = 0; round < 2; round++) for (const device of devices) await exchange(device, server);
}

const snapshot = (device: Device) => JSON.stringify([...device.target.items.values()].sort((x, y) => (x.id < y.id ? -1 : 1)));

describe('MemorySync', () => {
  it('sends a new memory to the other device and merges concurrent edits by the rule', async () => {
    const server = new FakeReplica();
    const [a, b] = [await makeDevice('A'), await makeDevice('B')];
    await change(a, 'm1', 'first');
    await settle([a, b], server);
    expect(b.target.get('m1')?.text).toBe('first');

    // Concurrent: a model edit on A, later than a user edit on B. The user's wins on both.
    await change(b, 'm1', 'user says', 'user');
    await change(a, 'm1', 'model says', 'llm');
    await settle([a, b], server);
    expect(a.target.get('m1')?.text).toBe('user says');
    expect(b.target.get('m1')?.text).toBe('user says');

    // After seeing it, a model edit is a new change and wins.
    await change(a, 'm1', 'model after', 'llm');
    await settle([a, b], server);
    expect(b.target.get('m1')?.text).toBe('model after');

    // A delete beats a concurrent (later) edit.
    await change(a, 'm1', undefined);
    await change(b, 'm1', 'edited meanwhile');
    await settle([a, b], server);
    expect(a.target.get('m1')).toBeUndefined();
    expect(b.target.get('m1')).toBeUndefined();
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('converges to one state on every device whatever order the changes arrive in', async () => {
    const op = fc.record({
      device: fc.nat(2),
      memory: fc.constantFrom('m1', 'm2'),
      kind: fc.constantFrom('edit', 'delete', 'model-edit'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(2), { maxLength: 8 }),
        async (ops, deliveries) => {
          const server = new FakeReplica();
          const devices = [await makeDevice('A'), await makeDevice('B'), await makeDevice('C')];
          await change(devices[0]!, 'm1', 'one');
          await change(devices[0]!, 'm2', 'two');
          await settle(devices, server);
          for (const [i, step] of ops.entries()) {
            const device = devices[step.device]!;
            if (!device.target.get(step.memory)) continue;
            const text = step.kind === 'delete' ? undefined : `${step.kind} ${i}`;
            await change(device, step.memory, text, step.kind === 'model-edit' ? 'llm' : 'user');
            // Some devices exchange in between, in the order drawn.
            const who = deliveries[i];
            if (who !== undefined) await exchange(devices[who]!, server);
          }
          await settle(devices, server);
          const states = devices.map(snapshot);
          expect(states[1]).toBe(states[0]);
          expect(states[2]).toBe(states[0]);
          for (const device of devices) expect(device.errors).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a local change that a merge sees before it is reported as committed (found by the sync suite)', async () => {
    const a = await makeDevice('A-race');
    await change(a, 'm1', 'written here');
    // The user pins it: stored, but not yet reported to sync when a merge of m1 runs.
    a.target.items.set('m1', { ...a.target.get('m1')!, pinned: true });
    a.sync.pull();
    await a.sync.idle();
    expect(a.target.get('m1')?.pinned).toBe(true);
    a.sync.committed(['m1']);
    await a.sync.idle();
    const own = (await a.replica.get(['memory:A-race:m1']))[0] as { item?: MemoryItem };
    expect(own.item?.pinned).toBe(true);
  });
});
