/**
 * An {@link OutboxStore} in plain memory, for tests: every method runs synchronously inside one
 * call, so each status change is atomic like a transaction. Several stores made over the same
 * {@link MemoryOutboxData} behave like several connections to one database (or several tabs).
 */
import { byDueTime } from '../../../../src/core/pipeline/outbox-jobs';
import { LocalRunnerLock } from '../../../../src/core/pipeline/outbox-lock';
import type { OutboxJob, OutboxState, OutboxStore } from '../../../../src/core/pipeline/outbox-types';

export interface MemoryOutboxData {
  jobs: Map<string, OutboxJob>;
  lock: LocalRunnerLock;
  listeners: Set<() => void>;
}

export function createMemoryOutboxData(): MemoryOutboxData {
  return { jobs: new Map(), lock: new LocalRunnerLock(), listeners: new Set() };
}

export function createMemoryOutboxStore(data: MemoryOutboxData = createMemoryOutboxData()): OutboxStore {
  // Copies in and out, as a database would: callers never share objects with the store.
  const copy = (job: OutboxJob): OutboxJob => structuredClone(job);
  const inState = (state: OutboxState) => [...data.jobs.values()].filter((job) => job.state === state);
  const ownListeners = new Set<() => void>();
  const byCreation = (a: OutboxJob, b: OutboxJob) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  return {
    add: async (job) => {
      const existing = job.dedupeKey === undefined ? undefined : inState('pending').find((o) => o.dedupeKey === job.dedupeKey);
      if (existing) return { job: copy(existing), added: false };
      if (data.jobs.has(job.id)) throw new Error(`duplicate job id ${job.id}`);
      data.jobs.set(job.id, copy(job));
      for (const listener of data.listeners) if (!ownListeners.has(listener)) listener();
      return { job: copy(job), added: true };
    },
    claim: async ({ now, kinds, limit }) => {
      const due = inState('pending')
        .filter((job) => job.runAfter <= now && kinds.includes(job.kind))
        .sort(byDueTime);
      const kind = due[0]?.kind;
      const batch = due.filter((job) => job.kind === kind).slice(0, limit);
      for (const job of batch) data.jobs.set(job.id, { ...job, state: 'running', updatedAt: now });
      return batch.map((job) => copy(data.jobs.get(job.id)!));
    },
    settle: async (jobs) => {
      for (const job of jobs) if (data.jobs.get(job.id)?.state === 'running') data.jobs.set(job.id, copy(job));
    },
    recover: async (now) => {
      const running = inState('running');
      for (const job of running) data.jobs.set(job.id, { ...job, state: 'pending', updatedAt: now });
      return running.length;
    },
    retry: async (id, now) => {
      const job = data.jobs.get(id);
      if (job?.state !== 'failed') return undefined;
      const pending: OutboxJob = { ...job, state: 'pending', attempts: 0, runAfter: now, updatedAt: now };
      data.jobs.set(id, pending);
      return copy(pending);
    },
    list: async (state) => (state ? inState(state) : [...data.jobs.values()]).sort(byCreation).map(copy),
    counts: async () => {
      const counts: Record<'pending' | 'running' | 'failed', Record<string, number>> = { pending: {}, running: {}, failed: {} };
      for (const job of data.jobs.values()) {
        if (job.state === 'done') continue;
        counts[job.state][job.kind] = (counts[job.state][job.kind] ?? 0) + 1;
      }
      return counts;
    },
    nextRunAfter: async (kinds) => {
      const times = inState('pending')
        .filter((job) => kinds.includes(job.kind))
        .map((job) => job.runAfter);
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    prune: async (before) => {
      const old = inState('done').filter((job) => job.updatedAt < before);
      for (const job of old) data.jobs.delete(job.id);
      return old.length;
    },
    acquireRunner: (signal) => data.lock.acquire(signal),
    watch: (listener) => {
      const wrapped = () => listener();
      ownListeners.add(wrapped);
      data.listeners.add(wrapped);
      return () => {
        ownListeners.delete(wrapped);
        data.listeners.delete(wrapped);
      };
    },
  };
}
