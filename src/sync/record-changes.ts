/**
 * What changed locally since record-sync last compared, so a check reads only those records rather
 * than every record of every type. Storage tells the table keys its committed writes touched
 * (record-target.ts watches the profile's tables); a type whose changes cannot be named (a bulk
 * write, a cleared table, writes made while sync was not running) is compared whole, as is every
 * type at the start.
 */

/** The changes of one type: table keys written, record ids to look at again, or everything. */
export type TypeChanges = { keys: Set<unknown>; ids: Set<string> } | 'all';

/** Where a type's changes are told from (`all`: the type must be compared whole). */
export type NoteChanges = (type: string, keys: readonly unknown[] | 'all') => void;

/** Subscribes to the profile's committed writes; returns the unsubscribe. */
export type WatchChanges = (note: NoteChanges) => () => void;

export class LocalChanges {
  readonly #changes = new Map<string, TypeChanges>();
  /** Beyond this many keys of one type, it is compared whole (cheaper than reading them one by one). */
  readonly #limit: number;

  constructor(types: Iterable<string>, limit = 5_000) {
    this.#limit = limit;
    for (const type of types) this.#changes.set(type, 'all');
  }

  /** Table keys of `type` were written (or `all`). */
  note(type: string, keys: readonly unknown[] | 'all'): void {
    const current = this.#changes.get(type) ?? { keys: new Set(), ids: new Set() };
    if (current === 'all') return;
    if (keys === 'all' || current.keys.size + keys.length > this.#limit) {
      this.#changes.set(type, 'all');
      return;
    }
    for (const key of keys) current.keys.add(key);
    this.#changes.set(type, current);
  }

  /** A record to compare again at the next check (a merge left it because it differed from what was sent). */
  recheck(type: string, id: string): void {
    const current = this.#changes.get(type) ?? { keys: new Set(), ids: new Set() };
    if (current === 'all') return;
    current.ids.add(id);
    this.#changes.set(type, current);
  }

  /** Takes what changed in `type` since the last take (undefined: nothing). */
  take(type: string): TypeChanges | undefined {
    const current = this.#changes.get(type);
    this.#changes.delete(type);
    return current;
  }
}
