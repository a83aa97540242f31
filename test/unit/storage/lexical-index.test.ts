import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createLexicalIndex, tokenize } from '../../../src/storage/lexical/minisearch-index';
import { stem } from '../../../src/storage/lexical/stem';
import { yieldToEventLoop } from '../../../src/core/yield';

describe('lexical index', () => {
  it('ranks by BM25 on content words and ignores question words', () => {
    const index = createLexicalIndex();
    index.upsert('1', 'What did you do when you were there?');
    index.upsert('2', 'Melanie painted a sunrise over the lake');
    index.upsert('3', 'The lake was cold in March');
    const hits = index.search('What did Melanie paint at the lake?', 10);
    expect(hits[0]?.id).toBe('2');
    expect(hits.map((h) => h.id)).not.toContain('1');
    // Each hit tells which of the query's terms it holds, as the index normalises them (stemmed, no question words).
    expect(hits.find((h) => h.id === '2')?.terms?.sort()).toEqual(['lake', 'melanie', 'paint'].map(stem).sort());
    expect(hits.find((h) => h.id === '3')?.terms).toEqual([stem('lake')]);
  });

  it('tokenises any script and keeps digits', () => {
    expect(tokenize('Zoë moved to São Paulo in 2023!')).toEqual(['zoë', 'moved', 'to', 'são', 'paulo', 'in', '2023']);
  });

  it('replaces on upsert, removes, and filters', () => {
    const index = createLexicalIndex();
    index.upsert('a', 'red bicycle');
    index.upsert('a', 'blue kayak');
    index.upsert('b', 'blue car');
    expect(index.search('bicycle', 5)).toEqual([]);
    expect(index.search('blue', 5, (id) => id === 'b').map((h) => h.id)).toEqual(['b']);
    index.remove('a');
    expect(index.size).toBe(1);
  });

  it('folds plural and verb endings together, conservatively', () => {
    expect(['paint', 'paints', 'painted', 'painting'].map(stem)).toEqual(['paint', 'paint', 'paint', 'paint']);
    expect(stem('hiking')).toBe(stem('hike'));
    expect(stem('stopped')).toBe(stem('stop'));
    expect(stem('libraries')).toBe(stem('library'));
    expect(['bus', 'this', 'kiss', '2023', 'zoë', 'sing'].map(stem)).toEqual(['bus', 'this', 'kiss', '2023', 'zoë', 'sing']);
    const index = createLexicalIndex();
    index.upsert('1', 'Caroline went hiking in the mountains');
    index.upsert('2', 'Caroline likes tea');
    expect(index.search('Does Caroline hike?', 5)[0]?.id).toBe('1');
  });

  it('starts empty from a snapshot another analyser made, so the caller re-indexes', async () => {
    const index = createLexicalIndex();
    index.upsert('1', 'paintings of the lake');
    const snapshot = await index.snapshot();
    expect(
      createLexicalIndex(snapshot)
        .search('painting', 5)
        .map((h) => h.id),
    ).toEqual(['1']);
    const older = JSON.stringify(JSON.parse(snapshot).terms); // no analyser version at all
    expect(createLexicalIndex(older).size).toBe(0);
    expect(createLexicalIndex('{"analyzer": 1, "index": {}}').size).toBe(0);
  });
});

describe('lexical index, memories written but not indexed yet', () => {
  const WORDS = ['parties', 'party', 'hiking', 'hike', 'painted', 'paints', 'libraries', 'library', 'families', 'running'];
  const MORE = ['run', 'Zoë', 'São', '2023', 'the', 'what', 'quickly', 'kisses', 'buses', 'carried', 'lake', 'sunny'];
  const vocabulary = [...WORDS, ...MORE];
  /** An index whose slices of indexing run only when the test lets them (`step`). */
  function held() {
    let release: (() => void) | undefined;
    const index = createLexicalIndex(undefined, () => new Promise<void>((resolve) => (release = resolve)));
    return { index, step: () => release?.() };
  }

  it('finds every queued memory a search would find once indexed, scanning while a bulk add holds the queue', async () => {
    const text = fc.array(fc.constantFrom(...vocabulary), { minLength: 1, maxLength: 8 }).map((words) => words.join(' '));
    const docs = fc.array(text, { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(docs, fc.array(text, { minLength: 1, maxLength: 3 }), async (docs, queries) => {
        const indexed = createLexicalIndex();
        docs.forEach((doc, i) => indexed.upsert(String(i), doc));
        await indexed.settled();
        const { index: queued } = held();
        queued.defer!(); // a bulk add under way: searches scan the queue instead of indexing it
        docs.forEach((doc, i) => queued.upsert(String(i), doc));
        for (const query of queries) {
          const want = indexed.search(query, 100).map((hit) => hit.id);
          expect(
            queued
              .search(query, 100)
              .map((hit) => hit.id)
              .sort(),
          ).toEqual([...want].sort());
        }
      }),
      { numRuns: 200 },
    );
  });

  it('holds its indexing back while a bulk add defers it, and finds the queued texts meanwhile', async () => {
    const { index, step } = held();
    let done = false;
    const [first, second] = [index.defer!(), index.defer!()];
    index.upsert('a', 'Kayak rental by the harbour');
    const settled = index.settled().then(() => (done = true));
    step(); // the queue's turn comes: it waits for the holds instead of indexing
    await yieldToEventLoop();
    expect(done).toBe(false);
    expect(index.search('kayak', 5).map((hit) => hit.id)).toEqual(['a']);
    first();
    first(); // a release counts once
    await yieldToEventLoop();
    expect(done).toBe(false);
    second();
    await vi.waitFor(() => {
      step(); // the queue's next turn
      expect(done).toBe(true);
    });
    await settled;
    expect(index.search('kayak harbour', 5).map((hit) => hit.id)).toEqual(['a']);
  });

  it('ranks queued and indexed memories together, and indexes the queue between other work', async () => {
    const { index, step } = held();
    index.upsert('old', 'Melanie painted a sunrise over the lake');
    step();
    await index.settled();
    const release = index.defer!(); // held: the searches below scan the queue
    index.upsert('new', 'The lake was cold in March, the lake froze');
    index.upsert('other', 'Tea with Caroline');
    expect(index.size).toBe(3);
    expect(index.has('new')).toBe(true);
    // Two mentions of the lake in a text as long: the queued one ranks first, and a filter applies to it.
    expect(index.search('lake', 5).map((hit) => hit.id)).toEqual(['new', 'old']);
    expect(index.search('lake', 5, (id) => id !== 'new').map((hit) => hit.id)).toEqual(['old']);
    // A queued hit tells the query terms it holds, as an indexed one does (neighbour words read them).
    const both = index.search('melanie lake march', 5);
    expect(both.find((hit) => hit.id === 'new')?.terms?.sort()).toEqual(['lake', 'march'].map(stem).sort());
    expect(both.find((hit) => hit.id === 'old')?.terms?.sort()).toEqual(['lake', 'melanie'].map(stem).sort());
    // A replaced text no longer matches, queued or not; a removed memory is gone.
    index.upsert('old', 'Melanie painted a kayak');
    expect(index.search('sunrise lake', 5).map((hit) => hit.id)).toEqual(['new']);
    index.remove('other');
    expect(index.search('tea caroline', 5)).toEqual([]);
    release();
    const settled = index.settled();
    step();
    await settled;
    expect(index.search('lake', 5).map((hit) => hit.id)).toEqual(['new']);
    expect(index.size).toBe(2);
  });

  it('indexes a short queue when a search meets it: the hits and scores of a fully indexed index', async () => {
    const texts = [
      'Caroline went to the LGBTQ support group yesterday',
      'Melanie painted a sunrise over the lake',
      'Caroline: the support group was so powerful',
      'We went camping by the lake with the kids',
      'Caroline is researching adoption agencies',
    ];
    const drained = createLexicalIndex();
    texts.forEach((text, i) => drained.upsert(String(i), text));
    await drained.settled();
    const { index, step } = held(); // its slices never run unless stepped: only the search can index the queue
    texts.forEach((text, i) => index.upsert(String(i), text));
    expect(index.near!(stem('caroline'), 0)).toEqual([]); // queued, not indexed
    for (const query of ['When did Caroline go to the support group?', 'lake', 'kids camping adoption']) {
      expect(index.search(query, 10)).toEqual(drained.search(query, 10));
      expect(index.search(query, 10, (id) => id !== '0')).toEqual(drained.search(query, 10, (id) => id !== '0'));
    }
    expect(index.near!(stem('caroline'), 0)).toEqual([{ term: stem('caroline'), frequency: 3 }]);
    expect(index.size).toBe(texts.length);
    step(); // the queue's turn: nothing left in it
    await index.settled();
  });

  it('scans rather than indexes at search a queue a bulk add holds, or one longer than a thousand texts', () => {
    const { index } = held();
    const release = index.defer!();
    index.upsert('a', 'Kayak rental by the harbour');
    expect(index.search('kayak', 5).map((hit) => hit.id)).toEqual(['a']);
    expect(index.near!(stem('kayak'), 0)).toEqual([]);
    release();
    const { index: long } = held();
    for (let i = 0; i < 1001; i++) long.upsert(String(i), i === 500 ? 'Kayak rental by the harbour' : `Note number ${i}`);
    expect(long.search('kayak', 5).map((hit) => hit.id)).toEqual(['500']);
    expect(long.near!(stem('kayak'), 0)).toEqual([]);
    long.remove('1000'); // a thousand now: the next search indexes them
    expect(long.search('kayak', 5).map((hit) => hit.id)).toEqual(['500']);
    expect(long.near!(stem('kayak'), 0)).toEqual([{ term: stem('kayak'), frequency: 1 }]);
  });
});
