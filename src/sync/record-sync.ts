/**
 * Every synced record type but memories, through one mechanism (memories have their own, driven by
 * the memory service's commits: memory-sync.ts). Local changes are found by comparing what storage
 * holds with what this device last stored or sent (a digest per record, kept with the replica):
 * each difference becomes this device's version of the record (`<type>:<device>:<id>`, sealed by
 * the replica). Every change the replica reports is merged by its type's rule (record-kinds.ts)
 * and written when it differs from what is stored. Work runs one step at a time.
 */
import { MemoryError } from '../sdk/errors';
import type { HybridClock } from './hlc';
import { canonical, seenBy } from './merge';
import type { HlcStamp } from './hlc';
import type { ReplicaPosition, SyncReplica } from './port';
import type { RecordKind, RecordVersion } from './record-kinds';
import { toSyncError } from './memory-sync';
import { LocalChanges, type WatchChanges } from './record-changes';
import { KnownDevices } from './known-devices';

/** Where the records of each type are read and merged results written. */
export interface RecordTarget {
  /** The stored records of a type, by id, in their synced form. */
  read(type: string): Promise<Map<string, unknown>>;
  /** Those of these records that are stored (by id, synced form): a merge reads only what it merges. */
  readSome?(type: string, ids: readonly string[]): Promise<Map<string, unknown>>;
  /**
   * The records stored under these table keys (written since the last check) and the ids of those
   * whose rows are gone; undefined when that cannot be told (the type is then read whole).
   */
  readChanged?(type: string, keys: readonly unknown[]): Promise<{ values: Map<string, unknown>; gone: string[] } | undefined>;
  /** Writes merge results of one type (not reported as local changes). */
  apply(type: string, puts: Map<string, unknown>, deletes: string[]): Promise<void>;
}

export interface RecordSyncOptions {
  replica: SyncReplica;
  device: string;
  clock: HybridClock;
  kinds: readonly RecordKind[];
  /** The profile's records, or undefined while it is locked. */
  target(): RecordTarget | undefined;
  /** Told after merges changed stored records (their types). */
  onMerged(types: string[], count: number): void;
  onError(error: MemoryError): void;
  /** Told after a pull merged (or set aside) these changed documents of the replica. */
  onPulled?(docIds: string[]): void;
  /**
   * Tells the table keys committed writes touched (see record-changes.ts), so a check reads only
   * those records. Without it, every check compares every record.
   */
  watch?: WatchChanges;
  /** The devices known, shared with the memory sync (default: a set of its own, kept with the replica). */
  devices?: KnownDevices;
}

const nameOf = (type: string, device: string, id: string) => `${type}:${device}:${id}`;
/** Records whose versions are read from the replica at once. */
const READ_BATCH = 500;
type Digests = Record<string, string>;

function isRecordVersion(body: unknown): body is RecordVersion {
  const v = body as Partial<RecordVersion> | undefined;
  return (
    typeof v?.type === 'string' &&
    typeof v.id === 'string' &&
    typeof v.device === 'string' &&
    typeof v.hlc === 'string' &&
    typeof v.seen === 'object' &&
    (v.deleted === true || v.value !== undefined)
  );
}

export class RecordSync {
  readonly #o: RecordSyncOptions;
  readonly #kinds: Map<string, RecordKind>;
  /** Per type, per record: the digest of what this device stored or sent last. */
  readonly #known = new Map<string, Digests>();
  /** Per type and record, the versions its stored state is the merge of. */
  readonly #merged = new Map<string, Record<string, HlcStamp>>();
  readonly #devices: KnownDevices;
  /** Announced types with changes not yet sent. */
  readonly #announced = new Set<string>();
  #since: ReplicaPosition | undefined;
  #queue: Promise<void> = Promise.resolve();
  #scanQueued = false;
  #pullQueued = false;
  #pending = 0;

  /** What changed locally since the last check (undefined: not watched, every check reads all). */
  readonly #local: LocalChanges | undefined;
  readonly #unwatch: () => void;

  constructor(options: RecordSyncOptions) {
    this.#o = options;
    this.#kinds = new Map(options.kinds.map((kind) => [kind.type, kind]));
    this.#devices = options.devices ?? new KnownDevices(options.replica, options.device);
    const local = options.watch ? new LocalChanges(this.#kinds.keys()) : undefined;
    this.#local = local;
    this.#unwatch = options.watch?.((type, keys) => local!.note(type, keys)) ?? (() => undefined);
  }

  /** Stops watching local writes (sync stopped). */
  close(): void {
    this.#unwatch();
  }

  /** Whether a document body is one of these types (the memory sync leaves them here). */
  handles(body: unknown): boolean {
    return typeof (body as { type?: unknown } | undefined)?.type === 'string' && this.#kinds.has((body as { type: string }).type);
  }

  async load(): Promise<void> {
    const { replica } = this.#o;
    await this.#devices.load();
    this.#since = await replica.readLocal<ReplicaPosition>('records-since');
    for (const kind of this.#kinds.values())
      this.#known.set(kind.type, (await replica.readLocal<Digests>(`known-${kind.type}`)) ?? {});
  }

  /**
   * Records of these types (all when omitted) may have changed locally: compare and send (coalesced).
   * An announced type is only compared when named.
   */
  changed(types?: readonly string[]): void {
    for (const type of types ?? []) if (this.#kinds.get(type)?.announced) this.#announced.add(type);
    if (this.#scanQueued) return;
    this.#scanQueued = true;
    this.#pending++;
    this.#enqueue(async () => {
      this.#scanQueued = false;
      try {
        await this.#scan();
      } finally {
        this.#pending--;
      }
    });
  }

  /** Merges what changed in the replica since the last time (coalesced). */
  pull(): void {
    if (this.#pullQueued) return;
    this.#pullQueued = true;
    this.#enqueue(() => {
      this.#pullQueued = false;
      return this.#pull();
    });
  }

  /**
   * Brings announced types (settings) from the replica into this device; when the replica has none,
   * sends this device's when `sendIfAbsent` (the device that set sync up, not one that joins: its
   * defaults must not replace the settings already synced).
   */
  settleAnnounced(sendIfAbsent: boolean): void {
    this.#enqueue(async () => {
      const target = this.#o.target();
      if (!target) return;
      for (const kind of this.#kinds.values()) {
        if (!kind.announced) continue;
        const local = await target.read(kind.type);
        const ids = new Set([...local.keys(), ...Object.keys(this.#known.get(kind.type) ?? {})]);
        let any = false;
        for (const id of ids) any ||= (await this.#versionsOf(kind.type, id)).length > 0;
        if (any) await this.#merge(target, kind, ids);
        else if (sendIfAbsent) this.#announced.add(kind.type);
      }
      if (this.#announced.size > 0) await this.#scan();
    });
  }

  idle(): Promise<void> {
    return this.#queue;
  }

  /** Scans queued (local changes not yet sent). */
  get pending(): number {
    return this.#pending;
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => this.#o.onError(toSyncError(error)));
  }

  async #versionsOf(type: string, id: string): Promise<RecordVersion[]> {
    return (await this.#versionsOfMany(type, [id])).get(id)!;
  }

  /** Every device's version of each of these records, read together. */
  async #versionsOfMany(type: string, ids: readonly string[]): Promise<Map<string, RecordVersion[]>> {
    const devices = this.#devices.list();
    const bodies = await this.#o.replica.get(ids.flatMap((id) => devices.map((device) => nameOf(type, device, id))));
    return new Map(
      ids.map((id, i) => [
        id,
        bodies
          .slice(i * devices.length, (i + 1) * devices.length)
          .filter(isRecordVersion)
          .filter((version) => version.type === type && version.id === id),
      ]),
    );
  }

  /** The versions of these records, a batch per replica read; a record that does not open is reported and left out. */
  async #readVersions(type: string, ids: readonly string[]): Promise<Map<string, RecordVersion[]>> {
    const read = new Map<string, RecordVersion[]>();
    for (let start = 0; start < ids.length; start += READ_BATCH) {
      const batch = ids.slice(start, start + READ_BATCH);
      try {
        for (const [id, versions] of await this.#versionsOfMany(type, batch)) read.set(id, versions);
      } catch {
        for (const id of batch) {
          try {
            read.set(id, await this.#versionsOf(type, id));
          } catch (error) {
            this.#o.onError(toSyncError(error));
          }
        }
      }
    }
    return read;
  }

  /**
   * The records of a type that may have changed here since the last check, and the ids that may be
   * gone (undefined: nothing changed). Read whole when the changes are not tracked or not known.
   */
  async #changedHere(
    target: RecordTarget,
    kind: RecordKind,
  ): Promise<{ values: Map<string, unknown>; gone: string[] } | undefined> {
    const whole = async () => {
      const values = await target.read(kind.type);
      return { values, gone: Object.keys(this.#known.get(kind.type)!) };
    };
    if (!this.#local || kind.announced || kind.unwatched) return whole();
    const changes = this.#local.take(kind.type);
    if (!changes) return undefined;
    try {
      if (changes === 'all' || !target.readChanged || !target.readSome) return await whole();
      const byKey =
        changes.keys.size > 0 ? await target.readChanged(kind.type, [...changes.keys]) : { values: new Map(), gone: [] };
      if (!byKey) return await whole();
      const ids = [...changes.ids];
      const again = ids.length > 0 ? await target.readSome(kind.type, ids) : new Map<string, unknown>();
      return { values: new Map([...byKey.values, ...again]), gone: [...byKey.gone, ...ids.filter((id) => !again.has(id))] };
    } catch (error) {
      this.#local.note(kind.type, 'all'); // read again whole at the next check
      throw error;
    }
  }

  /** Sends this device's version of every record that changed here, then merges those records. */
  async #scan(): Promise<void> {
    const target = this.#o.target();
    if (!target) return;
    for (const kind of this.#kinds.values()) {
      if (kind.announced && !this.#announced.delete(kind.type)) continue;
      try {
        await this.#send(target, kind);
      } catch (error) {
        this.#local?.note(kind.type, 'all'); // what was taken is looked at again, whole, next time
        throw error;
      }
    }
    await this.#o.replica.writeLocal('clock', this.#o.clock.last);
  }

  /** Sends this device's version of each record of one type that changed here, then merges them. */
  async #send(target: RecordTarget, kind: RecordKind): Promise<void> {
    const { replica, device, clock } = this.#o;
    const known = this.#known.get(kind.type)!;
    const found = await this.#changedHere(target, kind);
    if (!found) return;
    const local = found.values;
    const changed = [...local.keys()].filter((id) => known[id] !== canonical(local.get(id)));
    const gone = found.gone.filter((id) => !local.has(id) && known[id] !== undefined && known[id] !== '');
    if (changed.length === 0 && gone.length === 0) return;
    const read = await this.#readVersions(kind.type, [...changed, ...gone]);
    for (const id of [...changed, ...gone]) if (!read.has(id)) this.#local?.recheck(kind.type, id);
    const versions = [...read].map(([id, versions]): RecordVersion => {
      const seen = { ...(this.#merged.get(`${kind.type}:${id}`) ?? seenBy(versions)) };
      const own = versions.find((version) => version.device === device);
      if (own) seen[device] = own.hlc;
      const value = local.get(id);
      return {
        type: kind.type,
        id,
        device,
        hlc: clock.tick(),
        actor: kind.actorOf(value),
        seen,
        ...(value === undefined ? { deleted: true as const } : { value }),
      };
    });
    // Sealed and stored together, a batch at a time (a first upload sends every record).
    for (let start = 0; start < versions.length; start += READ_BATCH) {
      const batch = versions.slice(start, start + READ_BATCH);
      await replica.putMany(batch.map((version) => ({ name: nameOf(kind.type, device, version.id), body: version })));
      for (const version of batch) {
        this.#merged.set(`${kind.type}:${version.id}`, seenBy([version]));
        known[version.id] = version.value === undefined ? '' : canonical(version.value);
      }
    }
    await replica.writeLocal(`known-${kind.type}`, known);
    // Concurrent versions from other devices may still beat this one.
    await this.#merge(target, kind, new Set(read.keys()));
  }

  async #pull(): Promise<void> {
    const { replica, clock } = this.#o;
    const { changes, last } = await replica.changes(this.#since);
    const byType = new Map<string, Set<string>>();
    const writers = new Set<string>();
    for (const change of changes) {
      if ('error' in change || !this.handles(change.body)) continue; // the memory sync reports these
      if (!isRecordVersion(change.body)) {
        this.#o.onError(new MemoryError('SYNC_ENVELOPE_INVALID', 'A synced document is not a record version'));
        continue;
      }
      const version = change.body;
      writers.add(version.device);
      clock.receive(version.hlc);
      const ids = byType.get(version.type) ?? new Set<string>();
      byType.set(version.type, ids.add(version.id));
    }
    await this.#devices.add(writers);
    const target = this.#o.target();
    if (byType.size > 0 && !target) return; // locked: the position stays, the next pull after unlocking merges
    for (const kind of this.#kinds.values()) {
      const ids = byType.get(kind.type);
      if (ids && target) await this.#merge(target, kind, ids);
    }
    this.#since = last;
    await replica.writeLocal('records-since', last);
    this.#o.onPulled?.(changes.map((change) => change.docId));
  }

  /** Merges these records of one type and writes the results that differ from what is stored. */
  async #merge(target: RecordTarget, kind: RecordKind, ids: Set<string>): Promise<void> {
    const local = target.readSome ? await target.readSome(kind.type, [...ids]) : await target.read(kind.type);
    const known = this.#known.get(kind.type)!;
    const puts = new Map<string, unknown>();
    const deletes: string[] = [];
    let knownChanged = false;
    // Changed here and not sent yet: the next scan sends it and merges it then (an announced
    // type has changed only when announced: until then it takes what is synced).
    const unsent = kind.announced ? this.#announced.has(kind.type) : true;
    const merging = [...ids].filter((id) => {
      const here = local.get(id);
      const same = !unsent || (here === undefined ? (known[id] ?? '') : canonical(here)) === (known[id] ?? '');
      if (!same) this.#local?.recheck(kind.type, id); // the next check compares it, whoever wrote it
      return same;
    });
    for (const [id, versions] of await this.#readVersions(kind.type, merging)) {
      const here = local.get(id);
      if (versions.length === 0) continue;
      this.#merged.set(`${kind.type}:${id}`, seenBy(versions));
      const merged = kind.merge(versions);
      const digest = merged === undefined ? '' : canonical(merged);
      if (merged === undefined) {
        if (here !== undefined) deletes.push(id);
      } else if (here === undefined || canonical(here) !== digest) puts.set(id, merged);
      if (known[id] !== digest) {
        known[id] = digest;
        knownChanged = true;
      }
    }
    if (puts.size > 0 || deletes.length > 0) {
      await target.apply(kind.type, puts, deletes);
      this.#o.onMerged([kind.type], puts.size + deletes.length);
    }
    // Kept with the replica (a record's digest per id, large in a large profile): written only when it changed.
    if (knownChanged) await this.#o.replica.writeLocal(`known-${kind.type}`, known);
  }
}
