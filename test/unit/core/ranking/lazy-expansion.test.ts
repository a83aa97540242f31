/**
 * The off-by-default expansions (term neighbours, lexical feedback) load with the first search that
 * turns one on (src/core/ranking/corpus-expansion.ts): never with the default ranking, once when the
 * first searches race, again after a load that failed, and with the same results as always.
 */
import { describe, expect, it } from 'vitest';
import { rankedBy, turnItem } from './fixtures';
import { QueryExpansion, type ExpandOptions, type LoadCorpusExpansion } from '../../../../src/core/ranking/query-expansion';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING, type RankingWeights } from '../../../../src/sdk/options';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import type { MemoryItem } from '../../../../src/sdk/types';

const read = turnItem('Tim: I have been reading Tolkien novels lately', {}, 1);
const hobbit = turnItem('Tim: the Hobbit by Tolkien is my favourite', {}, 2);
const silmarillion = turnItem('Ann: the Silmarillion is by Tolkien too', {}, 3);
const weather = turnItem('Ann: the weather is lovely lately', {}, 4);
const memories = [read, hobbit, silmarillion, weather];
const QUERY = 'What has Tim been reading?';

/** Expansion options over the memories above, with the first keyword search's hits. */
async function setUp(weights: Partial<RankingWeights>) {
  const lexical = createLexicalIndex();
  for (const memory of memories) lexical.upsert(memory.id, memory.text);
  await lexical.settled();
  const items = new Map<string, MemoryItem>(memories.map((m) => [m.id, m]));
  const hits = lexical.search(QUERY, 20, () => true);
  const ranked = rankedBy('lexical')(hits.map((hit): [MemoryItem, number] => [items.get(hit.id)!, hit.score]));
  const options: ExpandOptions = {
    weights: { ...DEFAULT_RANKING, ...weights },
    items,
    lexical,
    hits,
    pool: 20,
    accept: () => true,
    embedder: new EmbedderSlot(undefined),
  };
  return { ranked, options };
}

/** The real module, counting the loads; `fail` makes the next load fail as a chunk that does not download. */
function counting() {
  const loads = { count: 0, fail: false };
  const load: LoadCorpusExpansion = async () => {
    loads.count++;
    if (loads.fail) {
      loads.fail = false;
      throw new TypeError('Failed to fetch dynamically imported module');
    }
    return import('../../../../src/core/ranking/corpus-expansion');
  };
  return { loads, load };
}

const ids = (ranked: { item: MemoryItem }[]) => ranked.map((r) => r.item.id);

describe('the corpus expansions, loaded on first use', () => {
  it('are not loaded by a search with the default ranking', async () => {
    const { loads, load } = counting();
    const { ranked, options } = await setUp({});
    const expanded = await new QueryExpansion(load).expand(ranked, QUERY, options);
    expect(ids(expanded)).toEqual(ids(ranked));
    expect(loads.count).toBe(0);
  });

  it('answer the first searches that race with lexical feedback on, loading once, with what the feedback finds', async () => {
    const { loads, load } = counting();
    const { ranked, options } = await setUp({ lexicalFeedback: 0.2 });
    expect(ids(ranked)).not.toContain(silmarillion.id);
    const expansion = new QueryExpansion(load);
    const [first, second] = await Promise.all([
      expansion.expand(ranked, QUERY, options),
      expansion.expand(ranked, QUERY, options),
    ]);
    expect(loads.count).toBe(1);
    // "tolkien", shared by the best results, finds the memory that holds none of the query's words.
    expect(ids(first)).toContain(silmarillion.id);
    expect(first.find((r) => r.item.id === silmarillion.id)!.explanation.via).toEqual(['expansion']);
    expect(ids(second)).toEqual(ids(first));
    expect(ids(await expansion.expand(ranked, QUERY, options))).toEqual(ids(first));
    expect(loads.count).toBe(1);
  });

  it('try the load again after one that failed', async () => {
    const { loads, load } = counting();
    const { ranked, options } = await setUp({ lexicalFeedback: 0.2 });
    const expansion = new QueryExpansion(load);
    loads.fail = true;
    await expect(expansion.expand(ranked, QUERY, options)).rejects.toThrow(/dynamically imported/);
    expect(ids(await expansion.expand(ranked, QUERY, options))).toContain(silmarillion.id);
    expect(loads.count).toBe(2);
  });

  it('see memories changed after they loaded once told (invalidate)', async () => {
    const { load } = counting();
    const { ranked, options } = await setUp({ lexicalFeedback: 0.2 });
    const expansion = new QueryExpansion(load);
    await expansion.expand(ranked, QUERY, options);
    // The two best results no longer share "tolkien": no feedback word, once the statistics follow.
    options.items.set(read.id, { ...read, text: 'Tim: I have been reading lately' });
    options.items.set(hobbit.id, { ...hobbit, text: 'Tim: the Hobbit is my favourite' });
    expect(ids(await expansion.expand(ranked, QUERY, options))).toContain(silmarillion.id);
    expansion.invalidate();
    expect(ids(await expansion.expand(ranked, QUERY, options))).not.toContain(silmarillion.id);
  });
});
