import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutbox, type OutboxOptions } from '../../../../src/core/pipeline/outbox';
import { backoffDelay, createSeededRandom, DEFAULT_BACKOFF, failed } from '../../../../src/core/pipeline/outbox-jobs';
import type { JsonValue, OutboxHandler, OutboxSummary } from '../../../../src/core/pipeline/outbox-types';
import { MemoryError } from '../../../../src/sdk/errors';
import { deferred, dexieBackend, freshDatabaseName, ManualTime, memoryBackend, type OutboxBackend } from './outbox-harness';

const backends: OutboxBackend[] = [memoryBackend(), dexieBackend()];
const exact = { jitter: 0 };

describe.each(backends)('outbox over the $name store', (backend) => {
  afterEach(() => backend.closeAll());

  const setup = (handlers: Record<string, OutboxHandler>, extra: Partial<OutboxOptions> = {}) => {
    const time = new ManualTime();
    const name = freshDatabaseName();
    const outbox = createOutbox({ store: backend.open(name), handlers, clock: time, scheduler: time, backoff: exact, ...extra });
    return { time, name, outbox };
  };

  describe('batching', () => {
    it('runs enqueued jobs of one kind together, in order, at most batchSize at a time, and drops their payloads when done', async () => {
      const calls: JsonValue[][] = [];
      const { outbox } = setup({ extract: async (payloads) => void calls.push(payloads) }, { batchSize: 3 });
      for (let i = 0; i < 5; i++) await outbox.enqueue('extract', { turn: i });
      await outbox.drain();
      expect(calls).toEqual([
        [{ turn: 0 }, { turn: 1 }, { turn: 2 }],
        [{ turn: 3 }, { turn: 4 }],
      ]);
      const done = await outbox.list({ state: 'done' });
      expect(done).toHaveLength(5);
      expect(done.every((job) => job.payload === null)).toBe(true);
      expect(await outbox.summary()).toMatchObject({ pending: 0, running: 0, failed: 0 });
      await outbox.stop();
    });

    it('never mixes kinds in one batch', async () => {
      const seen: string[] = [];
      const { outbox } = setup({
        a: async (payloads) => void seen.push(`a×${payloads.length}`),
        b: async (payloads) => void seen.push(`b×${payloads.length}`),
      });
      await outbox.enqueue('a', 1);
      await outbox.enqueue('b', 2);
      await outbox.enqueue('a', 3);
      await outbox.drain();
      expect(seen.sort()).toEqual(['a×2', 'b×1']);
      await outbox.stop();
    });

    it('returns the pending job instead of a duplicate while one with the same dedupe key waits', async () => {
      const { outbox } = setup({});
      const first = await outbox.enqueue('summary', { session: 's1' }, { dedupeKey: 'summary:s1' });
      const second = await outbox.enqueue('summary', { session: 's1' }, { dedupeKey: 'summary:s1' });
      expect(second.id).toBe(first.id);
      expect(await outbox.list({ state: 'pending' })).toHaveLength(1);
    });

    it('rejects a payload that is not plain JSON before storing anything', async () => {
      const { outbox } = setup({ x: async () => undefined });
      await expect(outbox.enqueue('x', { when: new Date() } as unknown as JsonValue)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(outbox.enqueue('x', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await outbox.list()).toHaveLength(0);
    });
  });

  describe('retry with backoff', () => {
    it('retries a failing job after 2 s, 6 s, 18 s, 54 s, then marks it failed with its error and keeps it listed', async () => {
      let runs = 0;
      const { outbox, time } = setup(
        {
          extract: async () => {
            runs++;
            throw new MemoryError('LLM_OUTPUT_INVALID', 'not JSON');
          },
        },
        { maxAttempts: 5 },
      );
      await outbox.enqueue('extract', { turn: 1 });
      await outbox.drain();
      expect(runs).toBe(1);
      for (const wait of [2_000, 6_000, 18_000, 54_000]) {
        const before = runs;
        time.advance(wait - 1);
        await outbox.drain(); // runs every job due now: this one is not due yet
        expect(runs).toBe(before);
        time.advance(1);
        await outbox.drain();
        expect(runs).toBe(before + 1);
      }
      const [job] = await outbox.list({ state: 'failed' });
      expect(job).toMatchObject({ attempts: 5, lastError: { code: 'LLM_OUTPUT_INVALID', message: 'not JSON' } });
      expect(job!.payload).toEqual({ turn: 1 });
      expect(await outbox.summary()).toMatchObject({ failed: 1, pending: 0 });
      time.advance(3_600_000);
      await outbox.drain();
      expect(runs).toBe(5);
      await outbox.stop();
    });

    it('runs a failed job again after retry(id), with all its attempts', async () => {
      let fail = true;
      const { outbox } = setup(
        {
          job: async () => {
            if (fail) throw new Error('model crashed');
          },
        },
        { maxAttempts: 1 },
      );
      const job = await outbox.enqueue('job', 'x');
      await outbox.drain();
      expect((await outbox.list({ state: 'failed' }))[0]).toMatchObject({ id: job.id, lastError: { message: 'model crashed' } });
      fail = false;
      const retried = await outbox.retry(job.id);
      expect(retried).toMatchObject({ state: 'pending', attempts: 0 });
      await outbox.drain();
      expect((await outbox.list({ state: 'done' })).map((j) => j.id)).toEqual([job.id]);
      await expect(outbox.retry(job.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await outbox.stop();
    });

    it('spreads delays with seeded jitter within ±25 % and caps them at 10 minutes', () => {
      const random = createSeededRandom(7);
      for (let attempt = 1; attempt <= 12; attempt++) {
        const raw = Math.min(600_000, 2_000 * 3 ** (attempt - 1));
        const delay = backoffDelay(attempt, DEFAULT_BACKOFF, random);
        expect(delay).toBeLessThanOrEqual(600_000);
        expect(delay).toBeGreaterThanOrEqual(Math.min(raw * 0.75, 600_000 * 0.75) - 1);
      }
      const again = createSeededRandom(7);
      expect(backoffDelay(3, DEFAULT_BACKOFF, again)).toBe(backoffDelay(3, DEFAULT_BACKOFF, createSeededRandom(7)));
    });
  });

  describe('outbox resume', () => {
    it('runs a job that a crashed runner left running when the next instance starts', async () => {
      const name = freshDatabaseName();
      const crashed = backend.open(name);
      const time = new ManualTime();
      // The first tab stored the job, claimed it, and died before settling it.
      const first = createOutbox({ store: crashed, handlers: {}, clock: time, scheduler: time });
      await first.enqueue('extract', { turn: 7 });
      expect(await crashed.claim({ now: time.now(), kinds: ['extract'], limit: 8 })).toHaveLength(1);
      expect((await first.list({ state: 'running' })).length).toBe(1);

      const ran: JsonValue[] = [];
      const next = createOutbox({
        store: backend.open(name),
        handlers: { extract: async (payloads) => void ran.push(...payloads) },
        clock: time,
        scheduler: time,
      });
      await next.drain();
      expect(ran).toEqual([{ turn: 7 }]);
      expect(await next.list({ state: 'done' })).toHaveLength(1);
      await next.stop();
    });

    it('puts the batch in flight back to pending without using an attempt when stopped, and finishes it on restart', async () => {
      const started = deferred();
      let runs = 0;
      const { outbox, name, time } = setup({
        slow: (_payloads, { signal }) => {
          runs++;
          started.resolve();
          return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new MemoryError('ABORTED', 'stop'))));
        },
      });
      await outbox.enqueue('slow', 1);
      void outbox.start();
      await started.promise;
      await outbox.stop();
      const [pending] = await outbox.list({ state: 'pending' });
      expect(pending).toMatchObject({ attempts: 0 });

      const done: JsonValue[] = [];
      const restarted = createOutbox({
        store: backend.open(name),
        handlers: { slow: async (payloads) => void done.push(...payloads) },
        clock: time,
        scheduler: time,
      });
      await restarted.drain();
      expect(runs).toBe(1);
      expect(done).toEqual([1]);
      await restarted.stop();
    });

    it('keeps jobs of a kind this instance cannot run, counted as unhandled, and never drops them', async () => {
      const { outbox } = setup({ known: async () => undefined });
      await outbox.enqueue('from-a-newer-version', { x: 1 });
      await outbox.drain();
      const summary = await outbox.summary();
      expect(summary).toMatchObject({ pending: 1, unhandled: 1, unhandledKinds: ['from-a-newer-version'] });
      await outbox.stop();
    });

    it('lets only one instance run the jobs of a database at a time', async () => {
      const name = freshDatabaseName();
      const time = new ManualTime();
      const ranBy: string[] = [];
      const make = (who: string) =>
        createOutbox({
          store: backend.open(name),
          handlers: { job: async (payloads) => void payloads.forEach(() => ranBy.push(who)) },
          clock: time,
          scheduler: time,
        });
      const first = make('first');
      const second = make('second');
      await first.start();
      let firstStopping = false;
      // Whether the first had begun to give up the role when the second became the runner.
      const secondStart = second.start().then(() => firstStopping);
      await second.enqueue('job', 1);
      await first.drain();
      firstStopping = true;
      await first.stop();
      expect(await secondStart).toBe(true);
      await second.enqueue('job', 2);
      await second.drain();
      expect(ranBy).toEqual(['first', 'second']);
      await second.stop();
    });
  });

  it('reports its counts after every change for a "memory is being updated" indicator', async () => {
    const reports: OutboxSummary[] = [];
    const gate = deferred();
    const running = deferred();
    const onChange = (summary: OutboxSummary) => {
      reports.push(summary);
      if (summary.running === 1) running.resolve();
    };
    const { outbox } = setup({ job: () => gate.promise }, { onChange });
    await outbox.start();
    await outbox.enqueue('job', 1);
    await running.promise; // reported while the job runs: the gate holds it
    expect(reports.at(-1)).toMatchObject({ pending: 0, running: 1 });
    gate.resolve();
    await outbox.drain();
    expect(reports.at(-1)).toMatchObject({ pending: 0, running: 0, failed: 0 });
    await outbox.stop();
  });
});

describe('a job waiting for its chat model', () => {
  const job = {
    id: 'j1',
    kind: 'memory.extract',
    payload: {},
    state: 'running' as const,
    attempts: 1,
    maxAttempts: 3,
    runAfter: 0,
    createdAt: 0,
    updatedAt: 0,
  };
  const rules = { stopped: false, abortDelayMs: 5, delay: () => 2_000 };

  it('stays pending without using an attempt, and looks again less and less often', () => {
    const soon = failed(job, new MemoryError('NO_CHAT_MODEL', 'waiting'), 2_000, rules);
    expect(soon).toMatchObject({ state: 'pending', attempts: 1, runAfter: 3_000, lastError: { code: 'NO_CHAT_MODEL' } });
    const later = failed(job, new MemoryError('NO_CHAT_MODEL', 'waiting'), 3_600_000, rules);
    expect(later).toMatchObject({ state: 'pending', attempts: 1, runAfter: 3_630_000 });
    expect(failed(job, new MemoryError('LLM_OUTPUT_INVALID', 'bad'), 10, rules)).toMatchObject({ attempts: 2 });
  });
});
