import { describe, expect, it } from 'vitest';
import { rankedBy, turnItem } from './fixtures';
import { TermStats } from '../../../../src/core/ranking/term-stats';
import { feedbackTerms } from '../../../../src/core/ranking/lexical-feedback';
import { fuseExpansion } from '../../../../src/core/ranking/lexical-expansion';
import { TermNeighbours } from '../../../../src/core/ranking/term-neighbours';
import type { Embedder, LexicalHit } from '../../../../src/core/ports';
import type { MemoryItem } from '../../../../src/sdk/types';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING, type RankingWeights } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';

const analyse = createLexicalIndex().analyse!;
const ranked = rankedBy('lexical');
const itemsOf = (...memories: MemoryItem[]) => new Map(memories.map((m) => [m.id, m]));

// "What authors has Tim read?": one turn says so, the others name the author without the question's words.
const read = turnItem('Tim: I have been reading Tolkien novels lately', {}, 1);
const hobbit = turnItem('Tim: the Hobbit by Tolkien is my favourite', {}, 2);
const fantasy = turnItem('Tim: fantasy novels keep me up at night', {}, 3);
const weather = turnItem('Ann: the weather is lovely lately', {}, 4);

describe('term statistics', () => {
  it('counts the memories that hold each term, and follows edits and removals on the next use', () => {
    const items = itemsOf(read, hobbit, weather);
    const stats = new TermStats().sync(items, analyse);
    expect(stats.documents).toBe(3);
    expect(stats.frequency('tolkien')).toBe(2);
    expect(stats.frequency('lat')).toBe(2); // "lately" as the index stems it
    expect(stats.wordOf('lat')).toBe('lately');
    items.delete(hobbit.id);
    items.set(weather.id, { ...weather, text: 'Ann: Tolkien again' });
    expect(stats.sync(items, analyse).frequency('tolkien')).toBe(2); // not stale yet: counts stay
    stats.invalidate();
    stats.sync(items, analyse);
    expect([stats.documents, stats.frequency('tolkien'), stats.frequency('weather')]).toEqual([2, 2, 0]);
  });
});

describe('lexical pseudo-relevance feedback', () => {
  const items = itemsOf(read, hobbit, fantasy, weather);
  const stats = new TermStats().sync(items, analyse);
  const asked = new Set(analyse('What authors has Tim read?').map((t) => t.term));

  it('takes the rare words the best results share, not query words, nor words one result alone holds', () => {
    const top = ranked([
      [read, 1],
      [hobbit, 0.9],
    ]);
    // "tolkien" both hold; "novels" and "lately" only the first (though other memories hold them); "tim" is asked;
    // "hobbit" no other memory holds.
    expect(feedbackTerms(top, asked, stats)).toEqual(['tolkien']);
    expect(feedbackTerms(top, asked, stats, { from: 2, terms: 10, shared: 1 })).toEqual(
      expect.arrayContaining(['tolkien', 'novels', 'lately']),
    );
    expect(feedbackTerms(top.slice(0, 1), asked, stats)).toEqual([]);
  });

  it('leaves out words most memories hold, however many results share them', () => {
    const thanks = (n: number) => turnItem(`Ann: thanks ${n}`, {}, 10 + n);
    const chatty = [read, hobbit].map((m) => ({ ...m, text: `${m.text}, thanks` }));
    const many = itemsOf(...chatty, fantasy, weather, ...[1, 2, 3].map(thanks)); // 5 of 7 hold "thanks"
    const top = ranked(chatty.map((m): [MemoryItem, number] => [m, 1]));
    expect(feedbackTerms(top, asked, new TermStats().sync(many, analyse))).toEqual(['tolkien', 'thanks']);
    const more = itemsOf(...chatty, fantasy, weather, ...[1, 2, 3, 4].map(thanks)); // 6 of 8 now: more than 5
    expect(feedbackTerms(top, asked, new TermStats().sync(more, analyse))).toEqual(['tolkien']);
  });

  it('fuses the second search at its weight: results found again gain, new ones join as found by the expansion', () => {
    const hits: LexicalHit[] = [
      { id: hobbit.id, score: 4 },
      { id: read.id, score: 2 },
    ];
    const searched: string[] = [];
    const search = (q: string) => (searched.push(q), hits);
    const before = ranked([
      [read, 0.7],
      [weather, 0.5],
    ]);
    const after = fuseExpansion(before, ['tolkien'], { weight: 0.2, lexicalWeight: 0.7, items, search });
    expect(searched).toEqual(['tolkien']);
    expect(after.map((r) => [r.item.id, r.score])).toEqual([
      [read.id, 0.7 + 0.2 * 0.7 * 0.5],
      [weather.id, 0.5],
      [hobbit.id, 0.2 * 0.7],
    ]);
    expect(after[2]!.explanation.via).toEqual(['expansion']);
    expect(after[2]!.explanation.contributions.expansion).toBeCloseTo(0.14, 9);
    expect(fuseExpansion(before, ['tolkien'], { weight: 0, lexicalWeight: 0.7, items, search })).toBe(before);
    expect(fuseExpansion(before, [], { weight: 0.2, lexicalWeight: 0.7, items, search })).toBe(before);
  });
});

/** Word vectors by hand: "author" and "writer" point the same way, "novel" close by, "weather" away. */
const WORDS: Record<string, number[]> = { authors: [1, 0, 0], writer: [0.95, 0.3, 0], novels: [0.7, 0.7, 0] };
const wordModel = (calls: string[][]): Embedder => ({
  id: 'words',
  dimension: 3,
  embed: async (texts) => (calls.push(texts), texts.map((t) => Float32Array.from(WORDS[t.toLowerCase()] ?? [0, 0, 1]))),
});

describe("query expansion through the embedder's neighbours", () => {
  const writer = turnItem('Ann: my favourite writer', {}, 5);

  it('adds the closest stored words of each query word, embedding the vocabulary once per model', async () => {
    const items = itemsOf(read, writer, weather);
    const stats = new TermStats().sync(items, analyse);
    const calls: string[][] = [];
    const slot = new EmbedderSlot(wordModel(calls));
    const neighbours = new TermNeighbours();
    const query = analyse('Which authors?');
    const limits = { perTerm: 2, minSimilarity: 0.6 };
    expect(await neighbours.of(query, stats, slot, undefined, limits)).toEqual(['writer', 'novels']);
    const vocabulary = calls.length;
    expect(await neighbours.of(query, stats, slot, undefined, { ...limits, perTerm: 1 })).toEqual(['writer']);
    expect(calls.length).toBe(vocabulary + 1); // only the query's words this time
    // No embedder: no neighbours, nothing thrown.
    expect(await new TermNeighbours().of(query, stats, new EmbedderSlot(undefined))).toEqual([]);
  });
});

describe('search with query expansion', () => {
  const open = (ranking: Partial<RankingWeights>, embedder?: Embedder) =>
    MemoryService.open({
      store: createMemoryRepository(openDatabase(`query-expansion-${JSON.stringify(ranking)}-${Date.now()}`)),
      embedder: new EmbedderSlot(embedder),
      createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
      createVectorIndex: (dimension) => createFlatIndex(dimension),
      clock: { now: () => Date.UTC(2026, 11, 5) },
      ranking: { ...DEFAULT_RANKING, neighbour: 0, neighbourTerms: 0, ...ranking },
      recencyHalfLifeDays: 30,
      embedBatchSize: 8,
    });
  const texts = [
    'Tim has read Tolkien novels',
    'Tim read the Silmarillion by Tolkien',
    'The Hobbit by Tolkien is a favourite',
    'The weather is lovely',
  ];
  const notes = texts.map((text) => ({ text, kind: 'note' as const }));

  it('finds a memory that shares no word with the query through the words of the best result, only when on', async () => {
    const on = await open({ lexicalFeedback: 0.2 });
    await on.addMany(notes);
    const found = await on.search('What authors has Tim read?');
    expect(found.map((r) => r.item.text)).toEqual([texts[0], texts[1], texts[2]]);
    expect(found[2]!.explanation.via).toEqual(['expansion']);
    const off = await open({ lexicalFeedback: 0 });
    await off.addMany(notes);
    expect((await off.search('What authors has Tim read?')).map((r) => r.item.text)).toEqual([texts[0], texts[1]]);
  });
});
