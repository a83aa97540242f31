/**
 * The `sync` suite's devices: each an in-process engine (fake-indexeddb, PouchDB's memory adapter
 * for its replica) reaching the server through a loopback proxy of its own that the test can cut,
 * with a scripted chat model so the suite can make model edits and supersedes through the real
 * `memories.remember` path. The test reads each device's replica (sealed, opened with the keys of
 * the pairing code) only to learn the stamp its device gave a version, never to decide a result.
 */
import PouchDB from 'pouchdb-core';
import memoryAdapter from 'pouchdb-adapter-memory';
import type { ChatMessage, ChatModel } from '../../../src/core/ports';
import type { MemoryClient, MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { documentId, open } from '../../../src/sync/envelope';
import type { SyncKeys } from '../../../src/sync/keys';
import { EXTRACTION_PROMPT } from '../../../src/core/semantic/facts';
import type { CuttableProxy } from '../../support/cuttable-proxy';
import type { Projection } from './sync-oracle';

PouchDB.plugin(memoryAdapter);

/** The part of a PouchDB database the suite reads (PouchDB ships no types). */
export interface LocalDb {
  get(id: string): Promise<Record<string, unknown>>;
  allDocs(): Promise<{ rows: { id: string; value: { rev: string } }[] }>;
  /** Writes from now on, through any handle on the store. */
  changes(options: { live: true; since: 'now' }): ChangesFeed;
  close(): Promise<void>;
}

interface ChangesFeed {
  on(event: 'change', listener: () => void): ChangesFeed;
  cancel(): void;
}

/** What the scripted model answers next: the fact it extracts and how it relates to the target. */
export interface ModelPlan {
  fact: string;
  relation: 'clarification' | 'contradiction';
  /** The marker word of the memory the fact is about (the model picks that candidate). */
  target: string;
  merged?: string;
}

/** A chat model that extracts the planned fact and relates it to the planned memory. */
export class ScriptedModel implements ChatModel {
  readonly id = 'scripted-sync-model';
  plan: ModelPlan | undefined;
  async generate(messages: ChatMessage[]): Promise<string> {
    const plan = this.plan;
    if (!plan) return JSON.stringify({ facts: [] });
    const system = String(messages[0]?.content ?? '');
    if (system === EXTRACTION_PROMPT) return JSON.stringify({ facts: [{ text: plan.fact }] });
    const lines = String(messages.at(-1)?.content ?? '').split('\n');
    const numbered = lines.map((line) => /^(\d+)\. \S+ (\S+)/.exec(line)).filter((match) => match !== null);
    const hit = numbered.find((match) => match[2] === plan.target);
    if (!hit) return JSON.stringify({ relation: 'identical', candidate: 1 });
    return JSON.stringify({
      relation: plan.relation,
      candidate: Number(hit[1]),
      ...(plan.merged ? { merged: plan.merged } : {}),
    });
  }
}

export interface Device {
  /** The engine's sync device id (set once sync is on). */
  id: string;
  label: string;
  profileId: string;
  client: MemoryClient;
  model: ScriptedModel;
  proxy: CuttableProxy;
  online: boolean;
  /** A second handle on the device's local replica (the memory adapter shares the store by name). */
  replica: LocalDb;
  /** Stops telling {@link until} about this device's changes. */
  unwatch: () => void;
}

/**
 * Counts what can change the state a check reads: an event of a device's client (its sync status,
 * merged memories, the outbox), a write to a device's replica, an answer through a device's proxy
 * (the devices' only way to the server). {@link until} checks again after each, never on a timer.
 */
const activity = {
  count: 0,
  waiters: new Set<() => void>(),
  bump(): void {
    activity.count++;
    for (const wake of activity.waiters) wake();
  },
  /** Resolves once something happened after `seen` changes, or at `deadline` (epoch ms). */
  after(seen: number, deadline: number): Promise<void> {
    if (activity.count > seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
      function wake(): void {
        clearTimeout(timer);
        activity.waiters.delete(wake);
        resolve();
      }
      activity.waiters.add(wake);
    });
  },
};

/** Bumps {@link activity} on every change of `device`; returns the unsubscribe. */
function watch(client: MemoryClient, replica: LocalDb, proxy: CuttableProxy): () => void {
  const stopEvents = client.subscribe(() => activity.bump());
  const feed = replica.changes({ live: true, since: 'now' }).on('change', () => activity.bump());
  const stopAnswers = proxy.onAnswer(() => activity.bump());
  return () => {
    stopEvents();
    feed.cancel();
    stopAnswers();
  };
}

export async function createDevice(profileId: string, label: string, proxy: CuttableProxy): Promise<Device> {
  const model = new ScriptedModel();
  const options: MemoryClientOptions = { profileId, embedder: false, chatModel: model };
  const client = await createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });
  const replica: LocalDb = new PouchDB(`mneme-${profileId}-sync`, { adapter: 'memory' });
  const unwatch = watch(client, replica, proxy);
  return { id: '', label, profileId, client, model, proxy, online: true, replica, unwatch };
}

export async function closeDevice(device: Device): Promise<void> {
  device.unwatch();
  await device.client.close().catch(() => undefined);
  await device.replica.close().catch(() => undefined);
  await device.proxy.close();
}

/** A device's own latest version of a record, opened (undefined: none yet). */
export async function ownVersion(device: Device, keys: SyncKeys, name: string): Promise<Record<string, unknown> | undefined> {
  const id = await documentId(keys, name);
  const doc = await device.replica.get(id).catch(() => undefined);
  return doc ? ((await open(keys, doc)) as Record<string, unknown>) : undefined;
}

/** Every document id with its revision (sealed; design and local documents aside). */
export async function revisions(db: LocalDb): Promise<string> {
  const { rows } = await db.allDocs();
  return rows
    .filter((row) => !row.id.startsWith('_'))
    .map((row) => `${row.id}@${row.value.rev}`)
    .sort()
    .join(',');
}

/** The same for the server's database (over HTTP, straight to the server: no proxy). */
export async function serverRevisions(serverUrl: string, database: string): Promise<string> {
  const response = await fetch(new URL(`${database}/_all_docs`, serverUrl));
  if (!response.ok) return `(server: ${response.status})`;
  const { rows } = (await response.json()) as { rows: { id: string; value: { rev: string } }[] };
  return rows
    .filter((row) => !row.id.startsWith('_'))
    .map((row) => `${row.id}@${row.value.rev}`)
    .sort()
    .join(',');
}

/**
 * Waits for `check` to report nothing (it returns what is still wrong), checking again whenever a
 * device's state, its replica or the server may have changed (see {@link activity}); after `ms` it
 * gives up and returns the last problem.
 */
export async function until(check: () => Promise<string | undefined>, ms = 60_000): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  let problem: string | undefined;
  for (;;) {
    const seen = activity.count;
    problem = await check().catch((error: unknown) => `check threw ${String(error)}`);
    if (problem === undefined || Date.now() > deadline) return problem;
    await activity.after(seen, deadline);
  }
}

/** Sorted JSON of a map of projections, for comparing and for failure messages. */
export function show(state: Map<string, Projection>): string {
  return JSON.stringify([...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}
