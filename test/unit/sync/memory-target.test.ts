/**
 * Merged memories land through the MemoryService: the moment the store lists a merged memory,
 * search finds it (and stops finding a deleted one), even on a slow store, with the merge audited.
 */
import { describe, expect, it } from 'vitest';
import { MemoryService } from '../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../src/core/semantic/embedder-slot';
import type { MemoryStore } from '../../../src/core/ports';
import { DEFAULT_RANKING } from '../../../src/sdk/options';
import type { MemoryItem } from '../../../src/sdk/types';
import { openDatabase } from '../../../src/storage/db';
import { createMemoryRepository } from '../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../src/storage/vector/flat-index';
import { memoryTarget } from '../../../src/sync/memory-target';

let counter = 0;

/** A store whose reads of single records hang until the test releases them (a loaded machine). */
function slowStore(): { store: MemoryStore; release(): void } {
  const inner = createMemoryRepository(openDatabase(`merge-target-${Date.now()}-${counter++}`));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const store: MemoryStore = {
    ...inner,
    getMany: async (ids) => {
      await released;
      return inner.getMany(ids);
    },
  };
  return { store, release };
}

const open = (store: MemoryStore) =>
  MemoryService.open({
    store,
    embedder: new EmbedderSlot(undefined),
    createLexicalIndex,
    createVectorIndex: (dimension) => createFlatIndex(dimension),
    clock: { now: () => 5_000 },
    ranking: DEFAULT_RANKING,
    recencyHalfLifeDays: 30,
    embedBatchSize: 8,
  });

const merged = (id: string, text: string): MemoryItem => ({
  id,
  text,
  kind: 'fact',
  importance: 0.5,
  pinned: false,
  createdAt: 1_000,
  updatedAt: 1_000,
  validFrom: 1_000,
  metadata: {},
});

const listed = async (store: MemoryStore) =>
  (await store.list({ order: 'oldest', limit: 100, offset: 0 })).map((item) => item.text);

describe('memoryTarget', () => {
  it('makes a merged memory searchable the moment it is listed, and unsearchable the moment it is gone', async () => {
    const { store, release } = slowStore();
    try {
      const service = await open(store);
      const target = memoryTarget(service);
      const applying = target.apply([{ item: merged('m1', 'The user keeps bees on the roof'), actor: 'llm' }], []);
      await expect.poll(() => listed(store)).toEqual(['The user keeps bees on the roof']);
      expect((await service.search('bees roof')).map((found) => found.item.id)).toEqual(['m1']);
      expect(service.get('m1')?.text).toBe('The user keeps bees on the roof');
      await applying;

      const edit = target.apply(
        [{ item: { ...merged('m1', 'The user keeps wasps in the shed'), updatedAt: 2_000 }, actor: 'user' }],
        [],
      );
      await expect.poll(() => listed(store)).toEqual(['The user keeps wasps in the shed']);
      expect(await service.search('bees roof')).toEqual([]);
      expect((await service.search('wasps shed')).map((found) => found.item.id)).toEqual(['m1']);
      await edit;

      const forget = target.apply([], [{ id: 'm1', actor: 'user' }]);
      await expect.poll(() => listed(store)).toEqual([]);
      expect(await service.search('wasps shed')).toEqual([]);
      expect(service.get('m1')).toBeUndefined();
      await forget;

      release();
      const history = await service.history('m1');
      expect(history.map((entry) => [entry.action, entry.actor, entry.reason])).toEqual([
        ['create', 'llm', 'synced from another device'],
        ['update', 'user', 'synced from another device'],
        ['delete', 'user', 'synced from another device'],
      ]);
      // Forgotten words do not live on in the trail.
      expect(JSON.stringify(history)).not.toMatch(/bees|wasps/);
    } finally {
      release();
    }
  });
});
