/**
 * The replica where large requests fail, against a real pouchdb-server on loopback: behind a
 * reverse proxy with a 1 MB body limit (nginx's default `client_max_body_size`, answered 413) and
 * on a network that cuts long uploads mid-body, a first upload still completes, in smaller batches,
 * and everything arrives intact; the batches grow back once requests go through again; a record
 * larger than the limit is reported, not sent again and again. The policy alone: batch-size.test.ts.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { MemoryError } from '../../../src/sdk/errors';
import type { BatchSizeOptions } from '../../../src/sync/batch-size';
import { deriveSyncKeys, generateSyncKey, type SyncKeys } from '../../../src/sync/keys';
import { createPouchReplica } from '../../../src/sync/pouch-replica';
import type { ReplicationEvents, SyncReplica } from '../../../src/sync/port';
import { startCuttableProxy } from '../../support/cuttable-proxy';
import { startHttpProxy } from '../../support/http-proxy';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();
const LONG = { timeout: 100_000, interval: 100 };

/** Memories of about 600 characters: about 1.5 kB each once sealed. */
const memories = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    name: `memory:${prefix}:${i}`,
    body: { text: `${prefix} ${i}: ${'a remembered detail, kept for later. '.repeat(16)}`, n: i },
  }));

/** What a replica reports: the documents pushed and pulled, each batch's size, the failures shown. */
function watch() {
  const pushed = new Set<string>();
  const pulled = new Set<string>();
  const batches: number[] = [];
  const pulls: number[] = [];
  /** Each failure once (the state is reported again whenever the other direction changes). */
  const failures = new Set<MemoryError>();
  const events: ReplicationEvents = {
    onTransfer(direction, ids) {
      if (direction === 'pull') {
        pulls.push(ids.length);
        return ids.forEach((id) => pulled.add(id));
      }
      batches.push(ids.length);
      ids.forEach((id) => pushed.add(id));
    },
    onPaused(error) {
      if (error) failures.add(error);
    },
    onActive() {},
    onLocalChange() {},
  };
  return { events, pushed, pulled, batches, pulls, failures };
}

const opened: SyncReplica[] = [];
async function replica(keys: SyncKeys, url: string, batchSize?: BatchSizeOptions) {
  const made = await createPouchReplica({
    name: `batches${Date.now()}${Math.random()}`,
    url,
    keys,
    adapter: 'memory',
    plugins: [memoryAdapter],
    ...(batchSize ? { batchSize } : {}),
  });
  opened.push(made);
  return made;
}
async function closeAll() {
  await Promise.all(opened.splice(0).map((one) => one.stop().catch(() => undefined)));
}

/** Another device reading the server directly: every record arrived (of `total` there), and opens to what was written. */
async function readBack(keys: SyncKeys, written: { name: string; body: object }[], total = written.length) {
  const reader = await replica(keys, server());
  const seen = watch();
  reader.start(seen.events);
  await expect.poll(() => seen.pulled.size, LONG).toBe(total);
  expect(await reader.get(written.map((record) => record.name))).toEqual(written.map((record) => record.body));
}

describe('replication where large requests fail', () => {
  it('completes a first upload larger than a 1 MB body limit in smaller batches, every record intact', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const proxy = await startHttpProxy(server(), undefined, { bodyLimit: 1_048_576 });
    try {
      const writer = await replica(keys, proxy.url);
      const written = memories('limit', 1500); // about 2.3 MB: more than the limit, in one batch of 2,000
      const ids = await writer.putMany(written);
      const seen = watch();
      writer.start(seen.events);
      await expect.poll(() => seen.pushed.size, LONG).toBe(ids.length);
      expect(proxy.refused()).toBeGreaterThan(0);
      expect(Math.max(...seen.batches)).toBeLessThan(1500);
      // Shrinking is not a failure the user sees.
      expect([...seen.failures]).toEqual([]);
      await readBack(keys, written);
    } finally {
      await closeAll();
      await proxy.close();
    }
  });

  it('completes a first upload on a network that cuts every upload after 400 kB', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const proxy = await startCuttableProxy(server());
    const LIMIT = 40;
    let cuts = 0;
    let done = false;
    proxy.onCut(() => {
      cuts++;
      proxy.restore();
      if (!done && cuts < LIMIT) proxy.cutAfter(400_000);
    });
    try {
      const writer = await replica(keys, proxy.url);
      const written = memories('cut', 800); // about 1.2 MB in one batch
      const ids = await writer.putMany(written);
      const seen = watch();
      proxy.cutAfter(400_000);
      writer.start(seen.events);
      await expect.poll(() => seen.pushed.size, LONG).toBe(ids.length);
      done = true;
      // It got through while the network still cut (a batch of every record never would).
      expect(cuts).toBeGreaterThan(1);
      expect(cuts).toBeLessThan(LIMIT);
      await readBack(keys, written);
    } finally {
      await closeAll();
      await proxy.close();
    }
  });

  it('grows its batches back to the most once the network stops cutting', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const proxy = await startCuttableProxy(server());
    let cutting = true;
    proxy.onCut(() => {
      proxy.restore();
      if (cutting) proxy.cutAfter(100_000);
    });
    try {
      // Batches of at most 200 here (about 300 kB), so the run is short; the policy is the same.
      const writer = await replica(keys, proxy.url, { max: 200, min: 10 });
      const first = memories('before', 400);
      await writer.putMany(first);
      const seen = watch();
      proxy.cutAfter(100_000);
      writer.start(seen.events);
      await expect.poll(() => seen.pushed.size, LONG).toBe(first.length);
      cutting = false;
      const shrunk = Math.max(...seen.batches);
      expect(shrunk).toBeLessThan(200);
      seen.batches.length = 0;
      const then = memories('after', 1400);
      await writer.putMany(then);
      await expect.poll(() => seen.pushed.size, LONG).toBe(first.length + then.length);
      expect(Math.max(...seen.batches)).toBe(200);
      await readBack(keys, [...first, ...then]);
    } finally {
      await closeAll();
      await proxy.close();
    }
  });

  // A device's first download, and one where PouchDB has met the server's `_bulk_get` already (a
  // record came before): on a first answer cut midway, PouchDB would take it for a server without
  // `_bulk_get` and fetch every document on its own, so both are the same case here. At 60 kB the
  // changes feed's batch (2,000 changes) is cut too, not only the documents asked for.
  it.each([
    { what: 'a first download', before: 0, cutAt: 400_000 },
    { what: 'a download after a first record', before: 1, cutAt: 400_000 },
    { what: 'a first download', before: 0, cutAt: 60_000 },
  ])(
    'completes $what on a network that cuts every answer after $cutAt bytes, asking no record twice',
    async ({ before, cutAt }) => {
      const keys = await deriveSyncKeys(generateSyncKey());
      const proxy = await startCuttableProxy(server());
      // The network cuts this many answers, then lets everything through: a pull that still needs a
      // whole batch in one answer gets nothing until then.
      const LIMIT = 30;
      let pulledAtLimit: number | undefined;
      const stopCutting = setInterval(() => {
        if (proxy.answersCut() < LIMIT || pulledAtLimit !== undefined) return;
        pulledAtLimit = seen.pulled.size;
        proxy.restore();
      }, 50);
      const seen = watch();
      try {
        const writer = await replica(keys, server());
        const wrote = watch();
        writer.start(wrote.events);
        const reader = await replica(keys, proxy.url);
        const first = memories('first', before);
        if (before) {
          await writer.putMany(first);
          reader.start(seen.events);
          await expect.poll(() => seen.pulled.size, LONG).toBe(before);
        }
        const written = memories('pull', 1500); // about 2.3 MB in one answer of 2,000 records
        await writer.putMany(written);
        await expect.poll(() => wrote.pushed.size, LONG).toBe(before + written.length);
        proxy.cutAnswersAfter(cutAt);
        if (!before) reader.start(seen.events);
        await expect.poll(() => seen.pulled.size, LONG).toBe(before + written.length);
        // It got through while the network still cut, in answers it could hold.
        expect(proxy.answersCut()).toBeGreaterThan(1);
        expect(pulledAtLimit).toBeUndefined();
        // A record stored is not asked for again after a cut.
        expect(seen.pulls.reduce((sum, size) => sum + size, 0)).toBe(before + written.length);
        const all = [...first, ...written];
        expect(await reader.get(all.map((record) => record.name))).toEqual(all.map((record) => record.body));
      } finally {
        clearInterval(stopCutting);
        await closeAll();
        await proxy.close();
      }
    },
  );

  it('grows its pull batches back to the most once the network stops cutting answers', async () => {
    const keys = await deriveSyncKeys(generateSyncKey());
    const proxy = await startCuttableProxy(server());
    try {
      const writer = await replica(keys, server());
      const wrote = watch();
      writer.start(wrote.events);
      const first = memories('before', 400);
      await writer.putMany(first);
      await expect.poll(() => wrote.pushed.size, LONG).toBe(first.length);
      // Batches of at most 200 here (about 300 kB an answer), so the run is short; the policy is the same.
      const reader = await replica(keys, proxy.url, { max: 200, min: 10 });
      const seen = watch();
      proxy.cutAnswersAfter(100_000);
      reader.start(seen.events);
      await expect.poll(() => seen.pulled.size, LONG).toBe(first.length);
      expect(proxy.answersCut()).toBeGreaterThan(0);
      expect(Math.max(...seen.pulls)).toBeLessThan(200);
      proxy.restore();
      seen.pulls.length = 0;
      const then = memories('after', 1400);
      await writer.putMany(then);
      await expect.poll(() => seen.pulled.size, LONG).toBe(first.length + then.length);
      expect(Math.max(...seen.pulls)).toBe(200);
      const all = [...first, ...then];
      expect(await reader.get(all.map((record) => record.name))).toEqual(all.map((record) => record.body));
    } finally {
      await closeAll();
      await proxy.close();
    }
  });

  afterEach(() => void vi.useRealTimers());

  it('reports a record larger than the body limit (413, its size) once, sends the rest, and tries it again on a kick only', async () => {
    // Timers run as usual, and the test can move them on: no retry may come however long it waits.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    // Each halving stops the push and starts another. A stopped one must end at once: PouchDB ended it
    // only after its back-off, so the eleven halvings down to one record left more than ten of them
    // listening on both databases (Node warns past ten listeners).
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const keys = await deriveSyncKeys(generateSyncKey());
    let pushAttempts = 0; // the push's revs_diff: one per batch it tries to send
    const proxy = await startHttpProxy(
      server(),
      (incoming) => {
        if (incoming.method === 'POST' && incoming.url?.includes('/_revs_diff')) pushAttempts++;
        return false;
      },
      { bodyLimit: 65_536 },
    );
    try {
      const writer = await replica(keys, proxy.url);
      const small = memories('fits', 30);
      const large = { name: 'memory:large:0', body: { text: 'a pasted document. '.repeat(6000) } }; // ~114 kB
      await writer.putMany([...small, large]);
      const seen = watch();
      writer.start(seen.events);
      await expect.poll(() => seen.failures.size, LONG).toBe(1);
      const [failure] = seen.failures;
      expect(failure?.code).toBe('SYNC_FAILED');
      expect(failure?.message).toMatch(/413 Request Entity Too Large/);
      expect(failure?.message).toMatch(/a record of 0\.1\d MB is more than it accepts/);
      expect(failure?.details).toMatchObject({ status: 413, records: expect.any(Number) });
      expect(failure?.details?.['largest']).toBeGreaterThan(65_536);
      await new Promise<void>((resolve) => process.nextTick(resolve)); // Node emits its warnings on the next tick
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
      // What fits went, in batches at the floor.
      expect(seen.pushed.size).toBe(small.length);
      const refused = proxy.refused();
      const attempts = pushAttempts;

      // Another device's records still come (the pull goes on), and a minute later nothing was sent again.
      const other = await replica(keys, server());
      other.start(watch().events);
      for (let round = 0; round < 2; round++) {
        await vi.advanceTimersByTimeAsync(60_000);
        await other.put(`memory:other:${round}`, { text: `from the other device ${round}` });
        await expect.poll(() => seen.pulled.size, LONG).toBe(round + 1);
      }
      expect(proxy.refused()).toBe(refused);
      expect(pushAttempts).toBe(attempts);
      expect(seen.failures.size).toBe(1);

      // A kick (back online, focus) tries once more, and reports it again.
      writer.kick();
      await expect.poll(() => seen.failures.size, LONG).toBe(2);
      expect(proxy.refused()).toBe(refused + 1);
      await readBack(keys, small, small.length + 2);
      expect(await writer.get([large.name])).toEqual([large.body]); // kept here, to go once the server takes it
    } finally {
      await closeAll();
      await proxy.close();
    }
  });
});
