import { describe, expect, it } from 'vitest';
import { expandQuery } from '../../../../src/core/ranking/feedback';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import type { Embedder } from '../../../../src/core/ports';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';

const v = (...xs: number[]) => Float32Array.from(xs);
const norm = (x: Float32Array) => Math.sqrt(x.reduce((s, a) => s + a * a, 0));

describe('query feedback vector', () => {
  it('moves the unit query towards the unit centroid of the results by the weight', () => {
    const moved = expandQuery(v(0, 2), [v(3, 0), v(1, 0)], 1)!;
    expect(norm(moved)).toBeCloseTo(1, 6);
    expect(moved[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(moved[1]).toBeCloseTo(Math.SQRT1_2, 6);
    const light = expandQuery(v(0, 1), [v(1, 0)], 0.25)!;
    expect(light[0]! / light[1]!).toBeCloseTo(0.25, 6);
  });

  it('leaves the query alone at weight 0, without vectors, or with vectors of another size', () => {
    expect(expandQuery(v(0, 1), [v(1, 0)], 0)).toBeUndefined();
    expect(expandQuery(v(0, 1), [undefined], 1)).toBeUndefined();
    expect(expandQuery(v(0, 1), [v(1, 0, 0)], 1)).toBeUndefined();
  });
});

/** A model that knows a few texts by heart: each text's vector is given; anything else is far from all. */
const VECTORS: Record<string, number[]> = {
  'I signed up for a pottery class': [1, 0, 0, 0],
  'My pottery teacher loves blue glazes': [1, 0, 0, 0],
  'Pottery on Sunday mornings is the best': [1, 0, 0, 0],
  'Painting sunsets calms me down': [0.8, 0.6, 0, 0],
  'The printer on the second floor jams': [0, 0, 1, 0],
  'Which pottery or other hobbies does she have?': [0.5, -0.5, 0.7, 0],
};
const model: Embedder = {
  id: 'test/by-heart',
  dimension: 4,
  embed: async (texts) => texts.map((text) => Float32Array.from(VECTORS[text] ?? [0, 0, 0, 1])),
};

async function search(feedback: number) {
  const service = await MemoryService.open({
    store: createMemoryRepository(openDatabase(`feedback-${feedback * 10}-${Date.now()}`)),
    embedder: new EmbedderSlot(model),
    createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
    createVectorIndex: (dimension) => createFlatIndex(dimension),
    clock: { now: () => 1_000 },
    ranking: { ...DEFAULT_RANKING, feedback, relevanceFloor: 0 },
    recencyHalfLifeDays: 30,
    embedBatchSize: 8,
  });
  await service.addMany(
    Object.keys(VECTORS)
      .slice(0, 5)
      .map((text) => ({ text })),
  );
  const results = await service.search('Which pottery or other hobbies does she have?', { limit: 5 });
  // The three pottery memories lead either way (keyword and meaning); what follows them is the test.
  expect(results.slice(0, 3).every((r) => r.item.text.includes('ottery'))).toBe(true);
  return results.slice(3).map((r) => r.item.text);
}

describe('search with query feedback', () => {
  it('finds a memory that shares no word with the query through the best result it resembles', async () => {
    // Without feedback the printer (closer to the raw query vector) outranks the painting.
    expect(await search(0)).toEqual(['The printer on the second floor jams', 'Painting sunsets calms me down']);
    // With it the query leans towards what the pottery memories mean, and the painting, close to them, comes next.
    expect(await search(1)).toEqual(['Painting sunsets calms me down', 'The printer on the second floor jams']);
  });
});
