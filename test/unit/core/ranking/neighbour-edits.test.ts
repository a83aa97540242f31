import { describe, expect, it } from 'vitest';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';

let clock = Date.UTC(2026, 11, 6);
const open = () =>
  MemoryService.open({
    store: createMemoryRepository(openDatabase(`neighbour-edits-${Date.now()}-${Math.random()}`)),
    embedder: new EmbedderSlot(undefined),
    createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
    createVectorIndex: (dimension) => createFlatIndex(dimension),
    clock: { now: () => (clock += 1000) },
    ranking: DEFAULT_RANKING,
    recencyHalfLifeDays: 30,
    embedBatchSize: 8,
  });

describe('conversation neighbours after an edit', () => {
  it('follows a memory moved to another session or kind, as the next search sees it', async () => {
    const service = await open();
    const [question, answer] = await service.addMany([
      { text: 'Where did you go for the weekend?', kind: 'turn', metadata: { session: 1 } },
      { text: 'To the lake, with my sister.', kind: 'turn', metadata: { session: 1 } },
    ]);
    const via = async () =>
      (await service.search('where did you go for the weekend')).find((r) => r.item.id === answer!.id)?.explanation.via;
    expect(await via()).toEqual(['neighbour']); // found through the turn before it
    await service.update(answer!.id, { metadata: { session: 2 } });
    expect(await via()).toBeUndefined(); // another session: no longer its neighbour
    await service.update(answer!.id, { metadata: { session: 1 } });
    expect(await via()).toEqual(['neighbour']);
    await service.update(answer!.id, { kind: 'note' });
    expect(await via()).toBeUndefined(); // a note is in no conversation
    expect(question).toBeDefined();
  });
});
