/**
 * The lexical index's saved form: restored on open with only the memories changed since
 * re-indexed, and written again now and then (every 500 changes, at most once a minute), after a
 * bulk add (never in the middle of one) and on close.
 */
import type { MemoryItem } from '../../sdk/types';
import type { Clock, LexicalIndex, LexicalSnapshot, MemoryStore } from '../ports';

/** Committed changes after which the snapshot is written again… */
const SNAPSHOT_EVERY = 500;
/** …but not more often than this: a bulk ingest must not serialise a growing index again and again. */
const SNAPSHOT_INTERVAL_MS = 60_000;

export class LexicalSnapshots {
  #changes = 0;
  #takenAt = -Infinity;
  /** Bulk adds under way: no snapshot is due until the last one ends. */
  #held = 0;
  /** The save under way: while it waits for the index, further changes must not start more of them. */
  #saving: Promise<void> | undefined;
  /** The index {@link restore} gave: a bulk add holds its indexing back (see {@link during}). */
  #index: LexicalIndex | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Reads the saved snapshot and loads it into a new index (a new, empty index when there is none).
   * Separate from {@link restore}, so the open can load it while the memories are still being read.
   */
  async load(create: (data?: string) => LexicalIndex): Promise<{ lexical: LexicalIndex; snapshot?: LexicalSnapshot }> {
    const snapshot = await this.store.readLexicalSnapshot();
    return snapshot ? { lexical: create(snapshot.data), snapshot } : { lexical: create() };
  }

  /**
   * The lexical index for `items` from what {@link load} gave: the snapshot's when it fits (memories
   * missing from it or changed since are re-indexed, memories gone since removed), otherwise built from the texts.
   */
  restore(items: MemoryItem[], { lexical, snapshot }: { lexical: LexicalIndex; snapshot?: LexicalSnapshot }): LexicalIndex {
    this.#index = lexical;
    const usable = snapshot && lexical.size === snapshot.ids.length && snapshot.versions?.length === snapshot.ids.length;
    this.#takenAt = usable ? snapshot.takenAt : -Infinity;
    const [ids, versions] = usable ? [snapshot.ids, snapshot.versions] : [[], []];
    if (ids.length === 0) lexical.clear();
    const reindex = (item: MemoryItem, version: number | undefined) => {
      if (version === item.updatedAt) return;
      lexical.upsert(item.id, item.text);
      this.#changes++;
    };
    // The snapshot lists the memories in the order the store gives them, unless another device's
    // older ones arrived since: walk both lists together while they agree, then match the rest by id.
    let same = 0;
    for (const end = Math.min(items.length, ids.length); same < end && ids[same] === items[same]!.id; same++) {
      reindex(items[same]!, versions[same]);
    }
    const indexed = new Map<string, number>();
    for (let at = same; at < ids.length; at++) indexed.set(ids[at]!, versions[at]!);
    for (let at = same; at < items.length; at++) {
      const item = items[at]!;
      reindex(item, indexed.get(item.id));
      indexed.delete(item.id);
    }
    for (const id of indexed.keys()) {
      lexical.remove(id); // gone since
      this.#changes++;
    }
    return lexical;
  }

  /** Changes since the last snapshot (decides whether opening should save one at once). */
  get pending(): number {
    return this.#changes;
  }

  /** Counts changes; returns true when a snapshot is due. */
  changed(count: number): boolean {
    this.#changes += count;
    return this.#held === 0 && this.#saving === undefined && this.#due();
  }

  #due(): boolean {
    return this.#changes >= SNAPSHOT_EVERY && this.clock.now() - this.#takenAt >= SNAPSHOT_INTERVAL_MS;
  }

  /**
   * Runs a bulk add with no snapshot in between (each would serialise the whole index again) and no
   * indexing between its writes (the index takes its queue after it); `save` runs after it, in the
   * background, when one is due.
   */
  async during<T>(work: () => Promise<T>, save: () => Promise<void>): Promise<T> {
    this.#held++;
    const resume = this.#index?.defer?.();
    try {
      return await work();
    } finally {
      resume?.();
      this.#held--;
      if (this.#held === 0 && this.#due()) void save().catch(() => undefined);
    }
  }

  /**
   * Waits until the index holds every memory given to it, then saves it with `items()` as they are
   * then. A call while a save is under way joins it (one serialisation of the index, not one per call).
   */
  save(lexical: LexicalIndex, items: () => MemoryItem[]): Promise<void> {
    this.#saving ??= this.#save(lexical, items).finally(() => (this.#saving = undefined));
    return this.#saving;
  }

  async #save(lexical: LexicalIndex, items: () => MemoryItem[]): Promise<void> {
    if (this.#changes === 0) return;
    await lexical.settled();
    this.#changes = 0;
    this.#takenAt = this.clock.now();
    const listed = items();
    const data = await lexical.snapshot();
    await this.store.writeLexicalSnapshot({
      takenAt: this.#takenAt,
      ids: listed.map((item) => item.id),
      versions: listed.map((item) => item.updatedAt),
      data,
    });
  }
}
