import { describe, expect, it } from 'vitest';
import { turnItem } from './fixtures';
import { correctedTerms, editDistance } from '../../../../src/core/ranking/spelling';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';
import { QueryExpansion } from '../../../../src/core/ranking/query-expansion';

const texts = ['We went to the music festival', 'The festival was loud', 'A fundraiser for the shelter', 'My education matters'];
const index = createLexicalIndex();
texts.forEach((text, i) => index.upsert(String(i), text));
await index.settled();
const analyse = index.analyse!.bind(index);

describe('misspelt query words', () => {
  it('counts inserts, deletes, replacements and swaps of neighbouring letters, and stops past the limit', () => {
    expect(editDistance('festival', 'festival', 2)).toBe(0);
    expect(editDistance('fesetival', 'festival', 2)).toBe(1);
    expect(editDistance('festvial', 'festival', 2)).toBe(1);
    expect(editDistance('fstvl', 'festival', 2)).toBe(3);
    expect(editDistance('fundraiser', 'festival', 1)).toBe(2);
  });

  it('searches an unknown word as the closest stored one, and leaves known and short words alone', () => {
    // The index's own terms (stemmed: "festival" is held as "festival", "fundraiser" as "fundraiser").
    const terms = (query: string) => correctedTerms(analyse(query), index.near!.bind(index));
    expect(terms('When was the fesetival?')).toEqual(['festival']);
    expect(terms('the funraiser and my educaton')).toEqual(['fundraiser', 'education']);
    expect(terms('the festival')).toEqual([]); // known
    expect(terms('the festivxyzl')).toEqual([]); // three edits from any stored word
    expect(terms('the musik')).toEqual(['music']);
    expect(terms('the muisc')).toEqual(['music']); // a swap of neighbours is one edit
    expect(terms('the msc')).toEqual([]); // under five letters
  });

  it('counts only the memories the index still holds, and finds the corrected term as the index holds it', () => {
    const own = createLexicalIndex();
    own.upsert('a', 'The rehearsal went well');
    own.upsert('b', 'Another rehearsal tomorrow');
    own.upsert('c', 'A rehearsed speech');
    return own.settled().then(() => {
      own.remove('c');
      // "rehears" (from "rehearsed") is only in the removed memory: "rehersal" is corrected to "rehearsal".
      expect(own.near!('rehears', 0)).toEqual([]);
      const [term] = correctedTerms(own.analyse!('rehersal'), own.near!.bind(own));
      expect(term).toBe('rehearsal');
      expect(
        own.searchTerms!([term!], 10)
          .map((hit) => hit.id)
          .sort(),
      ).toEqual(['a', 'b']);
    });
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
    await on.checkpoint(); // indexed (corrections come from the index's terms, not from texts still queued)
    const found = await on.search('fesetival');
    expect(found.map((r) => r.item.text).sort()).toEqual([texts[0], texts[1]].sort());
    expect(found[0]!.explanation.via).toEqual(['expansion']);
    const off = await open(0);
    await off.addMany(texts.map((text) => ({ text, kind: 'note' as const })));
    expect(await off.search('fesetival')).toEqual([]);
  });
});

describe('the spelling check on the search path', () => {
  it('analyses no memory: a known word costs nothing, an unknown one a walk of the index term tree', async () => {
    let analysed = 0;
    let walked = 0; // walks within some distance (a look-up of the word itself, distance 0, walks one path)
    const lexical = {
      ...index,
      analyse: (text: string) => (analysed++, index.analyse!(text)),
      near: (term: string, distance: number) => (distance > 0 && walked++, index.near!(term, distance)),
      closeTo: (term: string, limit: number) => (walked++, index.closeTo!(term, limit)),
    };
    const items = new Map(texts.map((text, i) => [String(i), turnItem(text, {}, i)]));
    const options = {
      weights: { ...DEFAULT_RANKING, spelling: 0.3, lexicalFeedback: 0, termNeighbours: 0 },
      ...{ items, lexical, pool: 50, accept: () => true, embedder: new EmbedderSlot(undefined) },
    };
    const expansion = new QueryExpansion();
    const held = [{ id: '0', score: 1, terms: ['festival'] }];
    expect(await expansion.expand([], 'the festival', { ...options, hits: held })).toEqual([]);
    expect([analysed, walked]).toEqual([1, 0]); // the query only
    const found = await expansion.expand([], 'the fesetival', { ...options, hits: [] });
    expect(found.map((result) => result.item.text).sort()).toEqual([texts[0], texts[1]].sort());
    expect([analysed, walked]).toEqual([2, 1]); // the query, and one walk for its one unknown word
    // A stored word no keyword hit carries (cut from the hits, or the hits were not told) is not walked either.
    const asked = await expansion.expand([], 'the festival fesetival', { ...options, hits: [] });
    expect(asked.map((result) => result.item.text).sort()).toEqual([texts[0], texts[1]].sort());
    expect([analysed, walked]).toEqual([3, 2]); // one walk, for the unknown word only
  });
});
