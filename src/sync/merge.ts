/**
 * The merge rule, a pure function of the set of versions of one record, so every device reaches
 * the same result whatever order the versions arrived in.
 *
 * Each device keeps one version per record (its latest), with the stamps of the versions it had
 * merged when it made it (`seen`, one stamp per device). A version another one has seen is history;
 * among the rest (concurrent versions): a delete wins, then a user's change beats a model's or a
 * policy's, then the later stamp, then the larger device id.
 */
import type { ChangeActor, MemoryItem } from '../sdk/types';
import type { HlcStamp } from './hlc';

/** A memory as it travels: without what is local to a device (its vector's model, its last use). */
export type SyncedMemory = Omit<MemoryItem, 'embeddingModel' | 'lastAccessedAt'>;

/** What the merge rule reads of one device's latest version of one record (of any type). */
export interface Versioned {
  /** The record's id. */
  id: string;
  device: string;
  hlc: HlcStamp;
  actor: ChangeActor;
  /** Per device, the latest stamp of its versions this one was made after. */
  seen: Record<string, HlcStamp>;
  deleted?: true;
}

/** One device's latest version of one memory. */
export interface MemoryVersion extends Versioned {
  type: 'memory';
  /** Absent when deleted. */
  item?: SyncedMemory;
}

/** Whether `later` was made after `earlier` was merged on its device. */
export function supersedes(later: Versioned, earlier: Versioned): boolean {
  if (later === earlier) return false;
  if (later.device === earlier.device) return later.hlc > earlier.hlc;
  const seen = later.seen[earlier.device];
  return seen !== undefined && seen >= earlier.hlc;
}

/** Positive when `a` beats `b` among concurrent versions. */
export function compareConcurrent(a: Versioned, b: Versioned): number {
  if (Boolean(a.deleted) !== Boolean(b.deleted)) return a.deleted ? 1 : -1;
  const userA = a.actor === 'user';
  if (userA !== (b.actor === 'user')) return userA ? 1 : -1;
  if (a.hlc !== b.hlc) return a.hlc > b.hlc ? 1 : -1;
  if (a.device !== b.device) return a.device > b.device ? 1 : -1;
  return 0;
}

/** The versions no other version has seen. */
export function heads<V extends Versioned>(versions: readonly V[]): V[] {
  return versions.filter((version) => !versions.some((other) => supersedes(other, version)));
}

/** The winning version of a record, or undefined when there is none. */
export function winner<V extends Versioned>(versions: readonly V[]): V | undefined {
  let best: V | undefined;
  for (const head of heads(versions)) if (!best || compareConcurrent(head, best) > 0) best = head;
  return best;
}

/** What a new version made after merging `versions` has seen. */
export function seenBy(versions: readonly Versioned[]): Record<string, HlcStamp> {
  const seen: Record<string, HlcStamp> = {};
  const note = (device: string, stamp: HlcStamp) => {
    if (!(device in seen) || seen[device]! < stamp) seen[device] = stamp;
  };
  for (const version of versions) {
    note(version.device, version.hlc);
    for (const [device, stamp] of Object.entries(version.seen)) note(device, stamp);
  }
  return seen;
}

/** A memory's synced form. */
export function syncedMemory(item: MemoryItem): SyncedMemory {
  const { embeddingModel: _model, lastAccessedAt: _used, ...synced } = item;
  return synced;
}

/** Whether two synced memories say the same (key order aside). */
export function sameMemory(a: SyncedMemory, b: SyncedMemory): boolean {
  return canonical(a) === canonical(b);
}

export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
