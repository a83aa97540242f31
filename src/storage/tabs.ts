/**
 * Several tabs (or host pages) on one profile: one writer at a time through Web Locks, and every
 * committed change announced over a BroadcastChannel so other tabs refresh their caches and
 * indexes. Where Web Locks are missing (Node) an in-process queue keeps the same guarantee
 * within the process.
 */
import type { StoredVector } from '../core/ports';

/** Vectors travel with the ids so other tabs need not read chunk rows to index them. */
export type TabMessage =
  | { type: 'memories'; ids: string[]; vectors: StoredVector[] }
  /** Encryption was turned on or off, or the records were re-encoded. */
  | { type: 'encryption' }
  /** The profile was rewritten into a new location (see location.ts): open it there. `sameKey`: under the same data key. */
  | { type: 'relocated'; sameKey: boolean }
  /** A tab locked the profile: every tab drops its key and its decrypted views. */
  | { type: 'lock' }
  /** Many records changed at once (import, wipe): read everything again. */
  | { type: 'reload' };

export interface TabCoordinator {
  /** Runs `work` while holding the profile's write lock. */
  withWriteLock<T>(work: () => Promise<T>): Promise<T>;
  announce(message: TabMessage): void;
  close(): void;
}

const localQueues = new Map<string, Promise<unknown>>();

function queueLocally<T>(name: string, work: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(name) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  localQueues.set(name, tail);
  void tail.then(() => {
    if (localQueues.get(name) === tail) localQueues.delete(name);
  });
  return run;
}

export function createTabCoordinator(databaseName: string, onMessage: (message: TabMessage) => void): TabCoordinator {
  const lockName = `mneme:${databaseName}:write`;
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`mneme:${databaseName}`);
  if (channel) channel.onmessage = (event: MessageEvent<WireMessage>) => onMessage(fromWire(event.data));

  return {
    withWriteLock: (work) =>
      locks ? (locks.request(lockName, work) as Promise<Awaited<ReturnType<typeof work>>>) : queueLocally(lockName, work),
    announce: (message) => channel?.postMessage(toWire(message)),
    close: () => channel?.close(),
  };
}

/** Vectors of one model packed in one array: a bulk add's thousand vectors are cloned as one buffer, not a thousand objects. */
interface PackedVectors {
  model: string;
  ids: string[];
  data: Float32Array;
}
type WireMessage = Exclude<TabMessage, { type: 'memories' }> | { type: 'memories'; ids: string[]; packed: PackedVectors[] };

function toWire(message: TabMessage): WireMessage {
  if (message.type !== 'memories') return message;
  const byModel = new Map<string, StoredVector[]>();
  for (const vector of message.vectors) {
    const key = `${vector.model}\u0000${vector.vector.length}`;
    const list = byModel.get(key);
    if (list) list.push(vector);
    else byModel.set(key, [vector]);
  }
  const packed = [...byModel.values()].map((list) => {
    const dim = list[0]!.vector.length;
    const data = new Float32Array(list.length * dim);
    list.forEach(({ vector }, i) => data.set(vector, i * dim));
    return { model: list[0]!.model, ids: list.map(({ id }) => id), data };
  });
  return { type: 'memories', ids: message.ids, packed };
}

function fromWire(message: WireMessage): TabMessage {
  if (message.type !== 'memories') return message;
  const vectors = message.packed.flatMap(({ model, ids, data }) => {
    const dim = data.length / Math.max(1, ids.length);
    return ids.map((id, i) => ({ id, model, vector: data.subarray(i * dim, (i + 1) * dim) }));
  });
  return { type: 'memories', ids: message.ids, vectors };
}
