/**
 * The outbox's background loop: holds the store's runner role, claims due jobs batch by batch,
 * hands them to their handler, settles the outcome, and sets one wake-up for the next due job.
 * `stop()` aborts the batch in flight; its jobs go back to pending without using an attempt.
 */
import { MemoryError, toMemoryError } from '../../sdk/errors';
import type { Clock } from '../ports';
import { failed, succeeded } from './outbox-jobs';
import type { OutboxHandler, OutboxJob, OutboxStore, OutboxSummary, ReleaseRunner, Scheduler } from './outbox-types';

/** Old `done` jobs are pruned at start and then at most this often (ms). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface OutboxRunnerDeps {
  store: OutboxStore;
  handlers: Record<string, OutboxHandler>;
  clock: Clock;
  scheduler: Scheduler;
  batchSize: number;
  delay: (attempt: number) => number;
  abortDelayMs: number;
  keepDoneMs: number;
  summary: () => Promise<OutboxSummary>;
  onChange: ((summary: OutboxSummary) => void) | undefined;
  onError: (error: MemoryError) => void;
}

export interface OutboxRunner {
  start(): Promise<void>;
  drain(): Promise<void>;
  stop(): Promise<void>;
  /** Something changed (a job was added or retried): report it and run what is due. */
  wake(): void;
}

interface Session {
  controller: AbortController;
  ready: Promise<void>;
  release?: ReleaseRunner;
  unwatch?: () => void;
}

export function createOutboxRunner(deps: OutboxRunnerDeps): OutboxRunner {
  const { store, handlers, clock } = deps;
  const kinds = Object.keys(handlers);
  const report = (error: unknown) => deps.onError(toMemoryError(error, 'STORAGE_FAILED'));
  let session: Session | undefined;
  let pump: Promise<void> | undefined;
  let again = false;
  let cancelWake: (() => void) | undefined;
  let wakeAt = 0;
  let storeFailures = 0;
  let lastPrune = -Infinity;
  let notifying: Promise<void> | undefined;
  let dirty = false;

  /** Reports the counts; calls made while one is in flight collapse into one more report after it. */
  const notify = () => {
    const onChange = deps.onChange;
    if (!onChange) return;
    if (notifying) {
      dirty = true;
      return;
    }
    notifying = (async () => {
      do {
        dirty = false;
        onChange(await deps.summary());
      } while (dirty);
    })()
      .catch(report)
      .finally(() => (notifying = undefined));
  };

  /** One wake-up at a time, at time `at`; asking again for the same time keeps the one set. */
  const setWake = (at: number) => {
    if (cancelWake && wakeAt === at) return;
    cancelWake?.();
    wakeAt = at;
    cancelWake = deps.scheduler.schedule(
      () => {
        cancelWake = undefined;
        kick();
      },
      Math.max(0, at - clock.now()),
    );
  };

  const kick = () => {
    const current = session;
    if (!current?.release || current.controller.signal.aborted) return;
    if (pump) {
      again = true;
      return;
    }
    pump = runUntilIdle(current).finally(() => {
      pump = undefined;
      if (again) kick();
    });
  };

  const pruneIfDue = async (force: boolean) => {
    const now = clock.now();
    if (!force && now - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = now;
    await store.prune(now - deps.keepDoneMs);
  };

  async function runUntilIdle(current: Session): Promise<void> {
    const { signal } = current.controller;
    try {
      do {
        again = false;
        for (;;) {
          if (signal.aborted) return;
          const batch = await store.claim({ now: clock.now(), kinds, limit: deps.batchSize });
          if (batch.length === 0) break;
          notify();
          await runBatch(batch, signal);
          notify();
        }
      } while (again);
      storeFailures = 0;
      await pruneIfDue(false);
      const next = await store.nextRunAfter(kinds);
      if (next !== undefined && !signal.aborted) setWake(next);
    } catch (error) {
      report(error);
      if (!signal.aborted) setWake(clock.now() + deps.delay(++storeFailures));
    }
  }

  async function runBatch(batch: OutboxJob[], signal: AbortSignal): Promise<void> {
    const handler = handlers[batch[0]!.kind]!;
    let outcome: OutboxJob[];
    try {
      const work = Promise.resolve().then(() =>
        handler(
          batch.map((job) => job.payload),
          { signal, jobs: batch },
        ),
      );
      await untilAborted(work, signal);
      const now = clock.now();
      outcome = batch.map((job) => succeeded(job, now));
    } catch (error) {
      const now = clock.now();
      const rules = { stopped: signal.aborted, abortDelayMs: deps.abortDelayMs, delay: deps.delay };
      outcome = batch.map((job) => failed(job, error, now, rules));
    }
    await store.settle(outcome);
  }

  function start(): Promise<void> {
    if (session) return session.ready;
    const controller = new AbortController();
    const current: Session = { controller, ready: Promise.resolve() };
    session = current;
    current.ready = (async () => {
      try {
        const release = await store.acquireRunner(controller.signal);
        if (controller.signal.aborted) return release();
        current.release = release;
        await store.recover(clock.now());
        await pruneIfDue(true);
      } catch (error) {
        if (controller.signal.aborted) return;
        current.release?.();
        delete current.release;
        if (session === current) session = undefined;
        throw toMemoryError(error, 'STORAGE_FAILED');
      }
      if (controller.signal.aborted) return; // stopped meanwhile: stop() releases the role
      if (store.watch) current.unwatch = store.watch(kick);
      notify();
      kick();
    })();
    return current.ready;
  }

  async function settleDown(): Promise<void> {
    while (pump) await pump;
    while (notifying) await notifying;
  }

  return {
    start,
    async drain() {
      await start();
      kick();
      await settleDown();
    },
    async stop() {
      const current = session;
      if (!current) return;
      session = undefined;
      current.controller.abort();
      cancelWake?.();
      cancelWake = undefined;
      current.unwatch?.();
      await current.ready.catch(() => undefined);
      await settleDown();
      current.release?.();
      notify();
      await settleDown();
    },
    wake() {
      notify();
      kick();
    },
  };
}

/** The work's result, or an `ABORTED` rejection as soon as `signal` fires (the work is left to finish alone). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined); // a handler that fails after the abort must not surface as unhandled
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new MemoryError('ABORTED', 'The outbox stopped'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
