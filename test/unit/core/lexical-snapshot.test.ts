/**
 * The lexical snapshot is written once per due point: changes that arrive while a save waits for the
 * index (a sync merging thousands of memories one by one) join that save instead of starting more.
 * Each extra save serialised the whole index again: a new device joining with 1,000 memories became
 * searchable in 11 s instead of 1.2 s.
 */
import { describe, expect, it } from 'vitest';
import { LexicalSnapshots } from '../../../src/core/semantic/lexical-snapshot';
import type { LexicalIndex, LexicalSnapshot, MemoryStore } from '../../../src/core/ports';
import type { MemoryItem } from '../../../src/sdk/types';

describe('lexical snapshots', () => {
  it('starts no second save while one waits for the index, and writes once', async () => {
    const written: LexicalSnapshot[] = [];
    const store = {
      writeLexicalSnapshot: async (snapshot: LexicalSnapshot) => void written.push(snapshot),
    } as unknown as MemoryStore;
    let indexed!: () => void;
    const settled = new Promise<void>((resolve) => (indexed = resolve));
    let serialised = 0;
    const lexical = { settled: () => settled, snapshot: async () => `index ${++serialised}` } as unknown as LexicalIndex;
    const items = Array.from({ length: 600 }, (_, i) => ({ id: `m${i}`, updatedAt: i }) as MemoryItem);
    const snapshots = new LexicalSnapshots(store, { now: () => 120_000 });

    const due: boolean[] = [];
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 600; i++) {
      const now = snapshots.changed(1);
      due.push(now);
      if (now) saves.push(snapshots.save(lexical, () => items));
    }
    // Due once, at the 500th change; the next 100 arrive while that save waits for the index.
    expect(due.indexOf(true)).toBe(499);
    expect(due.filter(Boolean)).toHaveLength(1);
    // A save asked for meanwhile (a close, a bulk add ending) joins the one under way.
    saves.push(snapshots.save(lexical, () => items));
    indexed();
    await Promise.all(saves);
    expect(serialised).toBe(1);
    expect(written).toHaveLength(1);
    expect(written[0]!.ids).toHaveLength(600);
    expect(snapshots.pending).toBe(0);
  });
});
