/**
 * Memories between this device and the replica. A committed local change becomes this device's
 * version of the memory (sealed by the replica); every change the replica reports (local or
 * replicated in) is merged: the winner of all devices' versions (see merge.ts) is written to
 * Dexie through the target when it differs from what is stored. Work runs one step at a time.
 */
import { MemoryError } from '../sdk/errors';
import type { ChangeActor, MemoryItem } from '../sdk/types';
import type { HybridClock, HlcStamp } from './hlc';
import { sameMemory, seenBy, syncedMemory, winner, type MemoryVersion, type SyncedMemory } from './merge';
import type { ReplicaPosition, SyncReplica } from './port';
import { KnownDevices } from './known-devices';

/** Where merged memories land: the profile's store, caches and indexes. */
export interface MemoryTarget {
  get(id: string): MemoryItem | undefined;
  /** Who made the latest stored change of a memory (from its audit trail). */
  lastActor(id: string): Promise<ChangeActor>;
  /**
   * Writes merge results (audited, as made by `actor`, reason "synced"), updating caches and
   * indexes, without reporting them as local changes.
   */
  apply(puts: { item: MemoryItem; actor: ChangeActor }[], deletes: { id: string; actor: ChangeActor }[]): Promise<void>;
}

export interface MemorySyncOptions {
  replica: SyncReplica;
  device: string;
  clock: HybridClock;
  target: MemoryTarget;
  /** Told after merges changed stored memories (their ids). */
  onMerged(ids: string[]): void;
  /** Told about a record that could not be read or written; the rest goes on. */
  onError(error: MemoryError): void;
  /** Documents of other record types, which another sync merges (record-sync.ts). */
  ignores?(body: unknown): boolean;
  /** The devices known, shared with the record sync (default: a set of its own, kept with the replica). */
  devices?: KnownDevices;
  /** Told after a pull merged (or set aside) these changed documents of the replica. */
  onPulled?(docIds: string[]): void;
}

const nameOf = (device: string, id: string) => `memory:${device}:${id}`;
/** Memories whose versions a pull reads from the replica at once. */
const READ_BATCH = 500;

function isVersion(body: unknown): body is MemoryVersion {
  const v = body as Partial<MemoryVersion> | undefined;
  return (
    v?.type === 'memory' &&
    typeof v.id === 'string' &&
    typeof v.device === 'string' &&
    typeof v.hlc === 'string' &&
    typeof v.seen === 'object' &&
    (v.deleted === true || (typeof v.item === 'object' && v.item !== null && v.item.id === v.id))
  );
}

export class MemorySync {
  readonly #o: MemorySyncOptions;
  /** Memories changed here and not yet written as this device's version (how many steps are queued for each). */
  readonly #dirty = new Map<string, number>();
  /** Per memory, the versions (one stamp per device) its stored state is the merge of. */
  readonly #merged = new Map<string, Record<string, HlcStamp>>();
  /**
   * Per memory, the state this device and its versions last agreed on (null: deleted): a stored
   * state that differs is a local change whose committed() is still to come, which a merge must not
   * overwrite (its own step merges it after writing it).
   */
  readonly #agreed = new Map<string, SyncedMemory | null>();
  readonly #devices: KnownDevices;
  #since: ReplicaPosition | undefined;
  #queue: Promise<void> = Promise.resolve();
  #pullQueued = false;

  constructor(options: MemorySyncOptions) {
    this.#o = options;
    this.#devices = options.devices ?? new KnownDevices(options.replica, options.device);
  }

  /** Reads the devices and the position kept in the replica. */
  async load(): Promise<void> {
    const { replica } = this.#o;
    await this.#devices.load();
    this.#since = await replica.readLocal<ReplicaPosition>('since');
  }

  /** Local changes committed to Dexie: each becomes this device's version. */
  committed(ids: readonly string[]): void {
    const unique = [...new Set(ids)];
    unique.forEach((id) => this.#dirty.set(id, (this.#dirty.get(id) ?? 0) + 1));
    this.#enqueue(async () => {
      const done = new Set<string>();
      // Each batch written counts as done at once (how far a large upload is: `pending`).
      const release = (ids: readonly string[]) => {
        for (const id of ids) {
          if (done.has(id)) continue;
          done.add(id);
          const left = (this.#dirty.get(id) ?? 1) - 1;
          if (left > 0) this.#dirty.set(id, left);
          else this.#dirty.delete(id);
        }
      };
      try {
        await this.#push(unique, release);
      } finally {
        release(unique);
        // Versions of these memories that came in meanwhile were left for this step: merged now
        // (the replica does not report this device's own writes as changes).
        this.pull();
      }
    });
  }

  /** Merges what changed in the replica since the last time (coalesced: one pending pull at most). */
  pull(): void {
    if (this.#pullQueued) return;
    this.#pullQueued = true;
    this.#enqueue(() => {
      this.#pullQueued = false;
      return this.#pull();
    });
  }

  /** Resolves when the work queued so far is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  get pending(): number {
    return this.#dirty.size;
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((error: unknown) => this.#o.onError(toSyncError(error)));
  }

  async #versionsOf(id: string): Promise<MemoryVersion[]> {
    return (await this.#versionsOfMany([id])).get(id)!;
  }

  /** Every device's version of each of these memories, read together (one replica read per batch). */
  async #versionsOfMany(ids: readonly string[]): Promise<Map<string, MemoryVersion[]>> {
    const devices = this.#devices.list();
    const names = ids.flatMap((id) => devices.map((device) => nameOf(device, id)));
    const bodies = await this.#o.replica.get(names);
    return new Map(
      ids.map((id, i) => [
        id,
        bodies
          .slice(i * devices.length, (i + 1) * devices.length)
          .filter(isVersion)
          .filter((version) => version.id === id),
      ]),
    );
  }

  /** The versions of these memories; one whose record does not open is reported and left out. */
  async #readVersions(ids: readonly string[]): Promise<Map<string, MemoryVersion[]>> {
    try {
      return await this.#versionsOfMany(ids);
    } catch {
      // One record of the batch does not open: read them one by one, reporting that one.
      const read = new Map<string, MemoryVersion[]>();
      for (const id of ids) {
        try {
          read.set(id, await this.#versionsOf(id));
        } catch (error) {
          this.#o.onError(toSyncError(error));
        }
      }
      return read;
    }
  }

  async #push(ids: string[], done: (ids: readonly string[]) => void): Promise<void> {
    const { replica, device, clock, target } = this.#o;
    // A batch at a time: every device's versions read together, the new ones sealed and stored together.
    for (let start = 0; start < ids.length; start += READ_BATCH) {
      const read = await this.#readVersions(ids.slice(start, start + READ_BATCH));
      const changed = [...read].flatMap(([id, versions]) => {
        const local = target.get(id);
        const best = winner(versions);
        if (!local && (!best || best.deleted)) {
          this.#agreed.set(id, null);
          return [];
        }
        if (local && best && !best.deleted && sameMemory(syncedMemory(local), best.item!)) {
          this.#agreed.set(id, syncedMemory(local));
          return [];
        }
        return [{ id, versions, local }];
      });
      const actors = await Promise.all(changed.map(({ id }) => target.lastActor(id)));
      const written = changed.map(({ id, versions, local }, i): MemoryVersion => {
        const seen = { ...(this.#merged.get(id) ?? seenBy(versions)) };
        const own = versions.find((version) => version.device === device);
        if (own) seen[device] = own.hlc;
        return {
          type: 'memory',
          id,
          device,
          hlc: clock.tick(),
          actor: actors[i]!,
          seen,
          ...(local ? { item: syncedMemory(local) } : { deleted: true as const }),
        };
      });
      if (written.length > 0)
        await replica.putMany(written.map((version) => ({ name: nameOf(device, version.id), body: version })));
      for (const version of written) {
        this.#merged.set(version.id, seenBy([version]));
        this.#agreed.set(version.id, version.item ?? null);
      }
      done([...read.keys()]);
    }
    await replica.writeLocal('clock', clock.last);
  }

  /**
   * Replaces this device's version of a forgotten memory (it held the text) by a delete made after
   * every version merged, so no version the server keeps carries the words.
   */
  async #erase(versions: MemoryVersion[]): Promise<void> {
    const { replica, device, clock } = this.#o;
    const id = versions[0]!.id;
    const version: MemoryVersion = {
      type: 'memory',
      id,
      device,
      hlc: clock.tick(),
      actor: winner(versions)!.actor,
      seen: seenBy(versions),
      deleted: true,
    };
    await replica.put(nameOf(device, id), version);
    this.#merged.set(id, seenBy([version]));
  }

  /** Whether the stored state is the one last agreed on (nothing local is waiting to be reported). */
  #agrees(id: string, local: MemoryItem | undefined): boolean {
    const agreed = this.#agreed.get(id);
    if (agreed === undefined) return true;
    if (agreed === null) return local === undefined;
    return local !== undefined && sameMemory(syncedMemory(local), agreed);
  }

  async #pull(): Promise<void> {
    const { replica, clock, target } = this.#o;
    const { changes, last } = await replica.changes(this.#since);
    const ids = new Set<string>();
    const writers = new Set<string>();
    for (const change of changes) {
      if ('error' in change) {
        this.#o.onError(change.error);
        continue;
      }
      if (this.#o.ignores?.(change.body)) continue;
      if (!isVersion(change.body)) {
        this.#o.onError(new MemoryError('SYNC_ENVELOPE_INVALID', 'A synced document is not a memory version'));
        continue;
      }
      const version = change.body;
      writers.add(version.device);
      clock.receive(version.hlc);
      ids.add(version.id);
    }
    await this.#devices.add(writers);
    const puts: { item: MemoryItem; actor: ChangeActor }[] = [];
    const deletes: { id: string; actor: ChangeActor }[] = [];
    /** Forgotten memories this device holds a version with text of: it is replaced by a delete. */
    const erase: MemoryVersion[][] = [];
    // A local change not yet written as a version: its own step merges it after writing it.
    const merging = [...ids].filter((id) => !this.#dirty.has(id));
    const read = new Map<string, MemoryVersion[]>();
    for (let start = 0; start < merging.length; start += READ_BATCH) {
      for (const [id, versions] of await this.#readVersions(merging.slice(start, start + READ_BATCH))) read.set(id, versions);
    }
    for (const [id, versions] of read) {
      if (this.#dirty.has(id)) continue; // changed here while the versions were read
      const best = winner(versions);
      if (!best) continue;
      const local = target.get(id);
      if (!this.#agrees(id, local)) continue;
      this.#merged.set(id, seenBy(versions));
      this.#agreed.set(id, best.deleted ? null : best.item!);
      if (best.deleted) {
        if (local) deletes.push({ id, actor: best.actor });
        if (versions.some((version) => version.device === this.#o.device && !version.deleted)) erase.push(versions);
      } else if (!local || !sameMemory(syncedMemory(local), best.item!)) {
        // What is local to this device stays: its vector when the text is the same, its last use.
        const keep: Partial<MemoryItem> = {};
        if (local?.embeddingModel && local.text === best.item!.text) keep.embeddingModel = local.embeddingModel;
        if (local?.lastAccessedAt !== undefined) keep.lastAccessedAt = local.lastAccessedAt;
        puts.push({ item: { ...best.item!, ...keep }, actor: best.actor });
      }
    }
    if (puts.length > 0 || deletes.length > 0) {
      await target.apply(puts, deletes);
      this.#o.onMerged([...puts.map((put) => put.item.id), ...deletes.map((gone) => gone.id)]);
    }
    for (const versions of erase) await this.#erase(versions);
    this.#since = last;
    await replica.writeLocal('since', last);
    this.#o.onPulled?.(changes.map((change) => change.docId));
  }
}

export function toSyncError(error: unknown): MemoryError {
  if (error instanceof MemoryError) return error;
  return new MemoryError('SYNC_FAILED', error instanceof Error ? error.message : String(error), { cause: error });
}
