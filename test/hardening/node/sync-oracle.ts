/**
 * The `sync` suite's oracle: what every device must hold, computed from the op log alone, by the
 * rules the issue states (not by calling src/sync/merge.ts). Each op makes a version of a record on
 * one device, knowing the versions that device had merged; knowledge moves only when the test lets
 * a device sync (push: the server learns what the device knows; pull: the device learns what the
 * server knows). Among the versions no known version has seen (concurrent), a delete ("forget")
 * wins, then a user's change beats a model's, then the later stamp, then the larger device id.
 *
 * Records are keyed `<kind>:<id>`, so a new record kind (turns, profile fields, ...) is one more
 * projection in the suite's table, not a new oracle.
 */
import type { ChangeActor } from '../../../src/sdk/types';

/** What a test compares of one record (a kind's projection: the fields a user would notice). */
export type Projection = Record<string, string | number | boolean | null>;

export interface Version {
  key: string;
  device: string;
  /** Order of the op in the log (increasing on each device). */
  seq: number;
  /** The stamp the device gave the version (read from its replica): orders concurrent versions. */
  stamp: string;
  actor: ChangeActor;
  /** Absent: the record was deleted. */
  state: Projection | undefined;
  /** The versions the device had merged when it made this one. */
  knows: ReadonlySet<Version>;
}

export class SyncOracle {
  readonly #versions = new Map<string, Version[]>();
  readonly #knowledge = new Map<string, Set<Version>>();
  readonly #server = new Set<Version>();
  #seq = 0;

  addDevice(device: string): void {
    this.#knowledge.set(device, new Set());
  }

  /** An op on `device` made this version of `key` (state undefined: deleted). */
  record(device: string, key: string, stamp: string, actor: ChangeActor, state: Projection | undefined): Version {
    const knowledge = this.#know(device);
    const version: Version = { key, device, seq: ++this.#seq, stamp, actor, state, knows: new Set(knowledge) };
    knowledge.add(version);
    const all = this.#versions.get(key) ?? [];
    all.push(version);
    this.#versions.set(key, all);
    return version;
  }

  /** The device's versions reached the server. */
  push(device: string): void {
    for (const version of this.#know(device)) this.#server.add(version);
  }

  /** One version reached the server (an upload the test saw there before a cut). */
  pushed(version: Version): void {
    this.#server.add(version);
  }

  /** The device merged everything the server holds. */
  pull(device: string): void {
    const knowledge = this.#know(device);
    for (const version of this.#server) knowledge.add(version);
  }

  /** Every device in `devices` synced with the server until nothing moved. */
  syncAll(devices: readonly string[]): void {
    devices.forEach((device) => this.push(device));
    devices.forEach((device) => this.pull(device));
  }

  /** The record as `device` must show it now (undefined: absent or deleted). */
  stateOf(device: string, key: string): Projection | undefined {
    const known = (this.#versions.get(key) ?? []).filter((version) => this.#know(device).has(version));
    return winnerOf(known)?.state;
  }

  /** Every record `device` must show, by key. */
  expected(device: string): Map<string, Projection> {
    const result = new Map<string, Projection>();
    for (const key of this.#versions.keys()) {
      const state = this.stateOf(device, key);
      if (state) result.set(key, state);
    }
    return result;
  }

  /** The stamp of the device's latest version of `key` ('' for none): its next one is later. */
  ownStamp(device: string, key: string): string {
    const own = (this.#versions.get(key) ?? []).filter((version) => version.device === device);
    return own.at(-1)?.stamp ?? '';
  }

  /** The latest stamp `device` made or merged (its clock must be past it). */
  latestStamp(device: string): string {
    let latest = '';
    for (const version of this.#know(device)) if (version.stamp > latest) latest = version.stamp;
    return latest;
  }

  #know(device: string): Set<Version> {
    const knowledge = this.#knowledge.get(device);
    if (!knowledge) throw new Error(`unknown device ${device}`);
    return knowledge;
  }
}

/** `later` was made after `earlier` was merged on its device (or on the same device, later). */
function seen(later: Version, earlier: Version): boolean {
  if (later === earlier) return false;
  if (later.device === earlier.device) return later.seq > earlier.seq;
  for (const known of later.knows) if (known.device === earlier.device && known.seq >= earlier.seq) return true;
  return false;
}

/** Positive when `a` beats `b` (both concurrent). */
function beats(a: Version, b: Version): number {
  const deletedA = a.state === undefined;
  if (deletedA !== (b.state === undefined)) return deletedA ? 1 : -1;
  const userA = a.actor === 'user';
  if (userA !== (b.actor === 'user')) return userA ? 1 : -1;
  if (a.stamp !== b.stamp) return a.stamp > b.stamp ? 1 : -1;
  return a.device > b.device ? 1 : a.device < b.device ? -1 : 0;
}

export function winnerOf(versions: readonly Version[]): Version | undefined {
  const heads = versions.filter((version) => !versions.some((other) => seen(other, version)));
  let best: Version | undefined;
  for (const head of heads) if (!best || beats(head, best) > 0) best = head;
  return best;
}
