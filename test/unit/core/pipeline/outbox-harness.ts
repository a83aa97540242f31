/**
 * What the outbox tests share: a clock and a scheduler the test moves by hand, the two stores
 * the behaviour suite runs over (in-memory and Dexie over fake-indexeddb), and a deferred.
 */
import type { Clock } from '../../../../src/core/ports';
import type { OutboxStore, Scheduler } from '../../../../src/core/pipeline/outbox-types';
import { openDatabase, type MnemeDatabase } from '../../../../src/storage/db';
import { createOutboxRepository } from '../../../../src/storage/outbox-repository';
import { createMemoryOutboxData, createMemoryOutboxStore, type MemoryOutboxData } from './memory-outbox-store';

export const START_TIME = 1_700_000_000_000;

/** A clock that moves only when told, and a scheduler whose tasks run only when the clock passes them. */
export class ManualTime implements Clock, Scheduler {
  #now = START_TIME;
  #tasks: { at: number; task: () => void }[] = [];
  /** Every delay ever asked of the scheduler, in order. */
  readonly delays: number[] = [];

  now(): number {
    return this.#now;
  }

  schedule(task: () => void, delayMs: number): () => void {
    const entry = { at: this.#now + delayMs, task };
    this.#tasks.push(entry);
    this.delays.push(delayMs);
    return () => {
      this.#tasks = this.#tasks.filter((t) => t !== entry);
    };
  }

  /** Tasks scheduled and not yet run or cancelled. */
  get waiting(): number {
    return this.#tasks.length;
  }

  /** Moves time forward and runs the tasks that became due, earliest first. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#tasks.filter((t) => t.at <= this.#now).sort((a, b) => a.at - b.at);
    this.#tasks = this.#tasks.filter((t) => !due.includes(t));
    for (const { task } of due) task();
  }
}

/** Opens stores on named databases; two opens of one name share the data like two tabs would. */
export interface OutboxBackend {
  name: string;
  open(database: string): OutboxStore;
  /** Closes everything this backend opened. */
  closeAll(): void;
}

export function memoryBackend(): OutboxBackend {
  const databases = new Map<string, MemoryOutboxData>();
  return {
    name: 'in-memory',
    open(database) {
      let data = databases.get(database);
      if (!data) databases.set(database, (data = createMemoryOutboxData()));
      return createMemoryOutboxStore(data);
    },
    closeAll: () => databases.clear(),
  };
}

export function dexieBackend(): OutboxBackend {
  const opened: MnemeDatabase[] = [];
  return {
    name: 'Dexie',
    open(database) {
      const db = openDatabase(database);
      opened.push(db);
      return createOutboxRepository(db);
    },
    closeAll: () => opened.splice(0).forEach((db) => db.close()),
  };
}

let databaseCounter = 0;
export const freshDatabaseName = () => `outbox-test-${Date.now()}-${databaseCounter++}`;

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
