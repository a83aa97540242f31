import { describe, expect, it } from 'vitest';
import { createLexicalIndex, tokenize } from '../../../src/storage/lexical/minisearch-index';
import { stem } from '../../../src/storage/lexical/stem';

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
    const older = JSON.stringify(JSON.parse(snapshot).index); // the format before analyser versions
    expect(createLexicalIndex(older).size).toBe(0);
    expect(createLexicalIndex('{"analyzer": 1, "index": {}}').size).toBe(0);
  });
});
