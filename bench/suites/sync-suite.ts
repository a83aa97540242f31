/**
 * Sync suite, in Chromium (real IndexedDB for the profiles and for PouchDB's replicas) against
 * pouchdb-server on loopback: the first upload of N memories; a new device joining until every
 * memory is listed and keyword search finds the last one ("searchable"); the same device with an
 * embedder until every memory has its vector again (re-embedding on arrival: vectors do not
 * travel); one change on an open device reaching the other open device (p50, p95); bytes on the
 * server per memory against bytes on this device per memory. Devices are in-process clients of
 * one page, each with its own profile (its own databases).
 */
import { createMemoryClient, type MemoryClient } from '../../src/sdk/index';
import { deriveSyncKeys } from '../../src/sync/keys';
import { parsePairingCode } from '../../src/sync/pairing';
import { createPouchReplica } from '../../src/sync/pouch-replica';
import { sentences } from '../data';
import { measureRecordCheck, type RecordCheckResult } from './sync-check';

export interface SyncSuiteOptions {
  memories: number;
  /** Changes timed from one open device to the other. */
  changes: number;
  /** Embedder of the device that re-embeds on arrival (none: skipped). */
  reembedWith?: string;
  /** How long the re-embedding device is given (default 10 minutes). */
  reembedTimeoutMs?: number;
}

export interface SyncResult {
  memories: number;
  uploadMs: number;
  /** Join → every memory listed and found by keyword search. */
  searchableMs: number;
  /** Where that time goes: replication alone of every document into a bare replica (no opening, no merge, no store)… */
  transportMs: number;
  /** …and opening every envelope of it once (AES-GCM); the rest is merging and storing. */
  openMs: number;
  /** Documents on the server per memory (a memory's version, its audit entry, …). */
  docsPerMemory: number;
  /** One local check of the synced records at this size: every record compared vs only the changed ones. */
  check: RecordCheckResult;
  /** Join → every memory listed and embedded again (undefined: not measured). */
  reembeddedMs?: number;
  reembedModel?: string;
  /** Memories with a vector on that device when it was measured (all of them when reembeddedMs is set). */
  reembedded?: number;
  changeP50Ms: number;
  changeP95Ms: number;
  serverBytesPerMemory: number;
  localBytesPerMemory: number | null;
}

/** Resolves once `check` holds, looking every `everyMs` (a benchmark waits for states too). */
async function until(check: () => Promise<boolean>, everyMs: number, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('sync bench: timed out');
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

const settled = async (client: MemoryClient) => {
  const status = await client.sync.status();
  return status.state === 'idle' && status.pending === 0;
};

export async function runSyncSuite(url: string, options: SyncSuiteOptions, log: (text: string) => void): Promise<SyncResult> {
  const n = options.memories;
  const tag = `benchsync${Date.now()}`;
  const open = (suffix: string, embedder: string | false = false) =>
    createMemoryClient({ profileId: `${tag}${suffix}`, inWorker: false, embedder, modelsBaseUrl: '/models/' });
  const texts = sentences(n, 17).map((text, i) => `${text} (note ${i})`);
  const last = `zephyrine${n}`;
  texts[n - 1] = `${texts[n - 1]} ${last}`;

  const usageBefore = (await navigator.storage.estimate()).usage ?? 0;
  const laptop = await open('a');
  await laptop.memories.addMany(texts.map((text) => ({ text })));
  const usageAfter = (await navigator.storage.estimate()).usage ?? 0;

  let start = performance.now();
  await laptop.sync.enable({ url });
  await until(() => settled(laptop), 50);
  const uploadMs = performance.now() - start;
  log(`sync ${n}: upload ${uploadMs.toFixed(0)} ms`);
  const code = await laptop.sync.pairingCode();

  // The same pull without the engine, before any device joins: a bare replica with the same keys
  // takes every document the server holds, then opens them all.
  const keys = await deriveSyncKeys(parsePairingCode(code).syncKey);
  const docs = ((await (await fetch(new URL(keys.database, url))).json()) as { doc_count: number }).doc_count;
  const bare = await createPouchReplica({ name: `${tag}-bare`, url, keys });
  start = performance.now();
  await new Promise<void>((resolve) => {
    let pulled = 0;
    bare.start({
      onTransfer: (direction, ids) => {
        if (direction === 'pull' && (pulled += ids.length) >= docs) resolve();
      },
      onPaused: () => undefined,
      onActive: () => undefined,
      onLocalChange: () => undefined,
    });
  });
  const transportMs = performance.now() - start;
  start = performance.now();
  const opened = await bare.changes(undefined);
  const openMs = performance.now() - start;
  await bare.destroy();
  log(
    `sync ${n}: transport alone of ${docs} documents ${transportMs.toFixed(0)} ms, opening ${opened.changes.length} ${openMs.toFixed(0)} ms`,
  );

  const phone = await open('b');
  start = performance.now();
  await phone.sync.join(code);
  await until(async () => (await phone.memories.count()) === n, 50);
  await until(async () => (await phone.memories.search(last, { limit: 1 }))[0]?.item.text === texts[n - 1], 20);
  const searchableMs = performance.now() - start;
  log(`sync ${n}: new device searchable (keywords) ${searchableMs.toFixed(0)} ms`);

  await until(() => settled(phone), 50);
  const latencies: number[] = [];
  for (let i = 0; i < options.changes; i++) {
    const from = i % 2 === 0 ? laptop : phone;
    const to = i % 2 === 0 ? phone : laptop;
    const item = await from.memories.add(`a change made on one device, number ${i}`);
    const made = performance.now();
    await until(async () => (await to.memories.get(item.id)) !== undefined, 5);
    latencies.push(performance.now() - made);
  }
  log(`sync ${n}: change to the other device p50 ${quantile(latencies, 0.5).toFixed(0)} ms`);

  const all = (await (await fetch(new URL(`${keys.database}/_all_docs?include_docs=true`, url))).json()) as {
    rows: { doc: object }[];
  };
  const serverBytes = all.rows.reduce((sum, row) => sum + new TextEncoder().encode(JSON.stringify(row.doc)).length, 0);
  // Last, and bounded: a third device with an embedder, until every memory has its vector again.
  let reembeddedMs: number | undefined;
  let reembedded = 0;
  if (options.reembedWith) {
    const tablet = await open('c', options.reembedWith);
    start = performance.now();
    await tablet.sync.join(code);
    const total = n + options.changes;
    await until(
      async () => {
        const items = await tablet.memories.list({ limit: total + 10 });
        reembedded = items.filter((item) => item.embeddingModel !== undefined).length;
        return items.length === total && reembedded === total;
      },
      250,
      options.reembedTimeoutMs ?? 600_000,
    ).then(
      () => (reembeddedMs = performance.now() - start),
      () => undefined,
    );
    log(
      `sync ${n}: new device re-embedded with ${options.reembedWith}: ${reembeddedMs === undefined ? `${reembedded} of ${total} after ${options.reembedTimeoutMs ?? 600_000} ms` : `${reembeddedMs.toFixed(0)} ms`}`,
    );
    if (reembeddedMs === undefined) log(`sync ${n}: the re-embedding device says ${JSON.stringify(await tablet.status())}`);
    await tablet.close();
  }
  await laptop.close();
  await phone.close();
  const check = await measureRecordCheck(n, 15);
  log(
    `sync ${n}: one local check of the records: every record ${check.wholeMs.toFixed(0)} ms, changed only ${check.trackedMs.toFixed(0)} ms`,
  );
  return {
    memories: n,
    uploadMs,
    searchableMs,
    transportMs,
    openMs,
    ...(options.reembedWith ? { reembedModel: options.reembedWith, reembedded } : {}),
    ...(reembeddedMs !== undefined ? { reembeddedMs } : {}),
    changeP50Ms: quantile(latencies, 0.5),
    changeP95Ms: quantile(latencies, 0.95),
    docsPerMemory: docs / n,
    check,
    serverBytesPerMemory: serverBytes / n,
    localBytesPerMemory: usageAfter > usageBefore ? (usageAfter - usageBefore) / n : null,
  };
}
