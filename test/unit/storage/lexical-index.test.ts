import { describe, expect, it } from 'vitest';
import { createLexicalIndex, tokenize } from '../../../src/storage/lexical/minisearch-index';

describe('lexical index', () => {
  it('ranks by BM25 on content words and ignores question words', () => {
    const index = createLexicalIndex();
    index.upsert('1', 'What did you do when you were there?');
    index.upsert('2', 'Melanie painted a sunrise over the lake');
    index.upsert('3', 'The lake was cold in March');
    const hits = index.search('What did Melanie paint at the lake?', 10);
    expect(hits[0]?.id).toBe('2');
    expect(hits.map((h) => h.id)).not.toContain('1');
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
});
