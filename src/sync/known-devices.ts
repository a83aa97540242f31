/**
 * The devices whose versions this device has seen in its replica. Version names are per device
 * (`memory:<device>:<id>`, `<type>:<device>:<id>`), so a merge reads one version per known device:
 * a device missing here is a version missing from the merge, and the devices stop converging.
 *
 * One set serves the memory sync and the record sync (each learns devices from its own documents),
 * kept with the replica as a union: a write never drops a device another writer (the other sync,
 * another tab) added. A replica kept by an older version, which stored a list each sync overwrote
 * with its own, is read once whole to find every device that wrote in it.
 */
import type { SyncReplica } from './port';

/** Where the set is kept with the replica (the older, possibly incomplete list was kept under `devices`). */
const KEY = 'known-devices';
const LEGACY_KEY = 'devices';

export class KnownDevices {
  readonly #replica: SyncReplica;
  readonly #ids: Set<string>;
  #loading: Promise<void> | undefined;
  #saving: Promise<void> = Promise.resolve();
  /** A device was added and the write that keeps it failed: the next add writes again. */
  #unsaved = false;

  /** `device`: this device, always known. */
  constructor(replica: SyncReplica, device: string) {
    this.#replica = replica;
    this.#ids = new Set([device]);
  }

  /** Reads the kept set (once, whoever asks first); rebuilds it from the replica when there is none. */
  load(): Promise<void> {
    this.#loading ??= (async () => {
      const kept = await this.#replica.readLocal<string[]>(KEY);
      if (kept) return this.#union(kept);
      this.#union((await this.#replica.readLocal<string[]>(LEGACY_KEY)) ?? []);
      this.#union(await this.#writers());
      await this.#save();
    })();
    return this.#loading;
  }

  /** The known devices, this one among them. */
  list(): string[] {
    return [...this.#ids];
  }

  has(device: string): boolean {
    return this.#ids.has(device);
  }

  /** Adds devices; resolves once the set that includes them is kept with the replica. */
  async add(devices: Iterable<string>): Promise<void> {
    const before = this.#ids.size;
    this.#union(devices);
    if (this.#ids.size > before || this.#unsaved) await this.#save();
  }

  #union(devices: Iterable<string>): void {
    for (const device of devices) if (typeof device === 'string' && device.length > 0) this.#ids.add(device);
  }

  /** Every device that wrote a version in the replica (its documents opened once). */
  async #writers(): Promise<string[]> {
    const { changes } = await this.#replica.changes(undefined);
    return changes.flatMap((change) => {
      const device = 'body' in change ? (change.body as { device?: unknown } | undefined)?.device : undefined;
      return typeof device === 'string' ? [device] : [];
    });
  }

  /** Writes the union of the kept set and this one (one write at a time). */
  #save(): Promise<void> {
    this.#unsaved = true;
    const write = async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          this.#union((await this.#replica.readLocal<string[]>(KEY)) ?? []);
          await this.#replica.writeLocal(KEY, this.list());
          this.#unsaved = false;
          return;
        } catch (error) {
          // Another tab of this device wrote it meanwhile (a conflict): read its set again and write the union.
          if ((error as { status?: number }).status !== 409 || attempt >= 3) throw error;
        }
      }
    };
    const saved = this.#saving.then(write, write);
    this.#saving = saved.catch(() => undefined);
    return saved;
  }
}
