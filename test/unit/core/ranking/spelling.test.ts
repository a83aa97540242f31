import { describe, expect, it } from 'vitest';
import { turnItem } from './fixtures';
import { correctedWords, editDistance } from '../../../../src/core/ranking/spelling';
import { TermStats } from '../../../../src/core/ranking/term-stats';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';
import { QueryExpansion } from '../../../../src/core/ranking/query-expansion';

const analyse = createLexicalIndex().analyse!;
const texts = ['We went to the music festival', 'The festival was loud', 'A fundraiser for the shelter', 'My education matters'];
const stats = new TermStats().sync(new Map(texts.map((text, i) => [String(i), turnItem(text, {}, i)])), analyse);

describe('misspelt query words', () => {
  it('counts inserts, deletes, replacements and swaps of neighbouring letters, and stops past the limit', () => {
    expect(editDistance('festival', 'festival', 2)).toBe(0);
    expect(editDistance('fesetival', 'festival', 2)).toBe(1);
    expect(editDistance('festvial', 'festival', 2)).toBe(1);
    expect(editDistance('fstvl', 'festival', 2)).toBe(3);
    expect(editDistance('fundraiser', 'festival', 1)).toBe(2);
  });

  it('searches an unknown word as the closest stored one, and leaves known and short words alone', () => {
    const words = (query: string) => correctedWords(analyse(query), stats);
    expect(words('When was the fesetival?')).toEqual(['festival']);
    expect(words('the funraiser and my educaton')).toEqual(['fundraiser', 'education']);
    expect(words('the festival')).toEqual([]); // known
    expect(words('the festivxyzl')).toEqual([]); // three edits from any stored word
    expect(words('the musik')).toEqual(['music']);
    expect(words('the msc')).toEqual([]); // under five letters
  });

  it('finds memories through a misspelt query word only when on', async () => {
    const open = (spelling: number) =>
      MemoryService.open({
        store: createMemoryRepository(openDatabase(`spelling-${spelling}-${Date.now()}`)),
        embedder: new EmbedderSlot(undefined),
        createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
        createVectorIndex: (dimension) => createFlatIndex(dimension),
        clock: { now: () => Date.UTC(2026, 11, 5) },
        ranking: { ...DEFAULT_RANKING, spelling },
        recencyHalfLifeDays: 30,
        embedBatchSize: 8,
      });
    const on = await open(0.5);
    await on.addMany(texts.map((text) => ({ text, kind: 'note' as const })));
    const found = await on.search('fesetival');
    expect(found.map((r) => r.item.text).sort()).toEqual([texts[0], texts[1]].sort());
    expect(found[0]!.explanation.via).toEqual(['expansion']);
    const off = await open(0);
    await off.addMany(texts.map((text) => ({ text, kind: 'note' as const })));
    expect(await off.search('fesetival')).toEqual([]);
  });
});

describe('the spelling check on the search path', () => {
  it('analyses no memory while every query word it could correct is in a keyword hit', async () => {
    const index = createLexicalIndex();
    let analysed = 0;
    const lexical = { ...index, analyse: (text: string) => (analysed++, index.analyse!(text)) };
    const items = new Map(texts.map((text, i) => [String(i), turnItem(text, {}, i)]));
    const options = {
      weights: { ...DEFAULT_RANKING, spelling: 0.3, lexicalFeedback: 0, termNeighbours: 0 },
      ...{ items, lexical, pool: 50, accept: () => true, embedder: new EmbedderSlot(undefined) },
    };
    const expansion = new QueryExpansion();
    const held = [{ id: '0', score: 1, terms: ['festival'] }];
    expect(await expansion.expand([], 'the festival', { ...options, hits: held })).toEqual([]);
    expect(analysed).toBe(1); // the query only
    await expansion.expand([], 'the fesetival', { ...options, hits: [] });
    expect(analysed).toBe(2 + texts.length); // the query, then every memory once for the counts
  });
});
