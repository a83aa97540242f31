/**
 * The lexical snapshot's flat-array form (minisearch-snapshot.ts) against MiniSearch's own
 * toJSON / loadJS (the form before): the restored MiniSearch holds the same state and every search
 * gives the same ids, scores and terms; another format or analyser, or a damaged snapshot, starts empty.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import MiniSearch from 'minisearch';
import { loadIndex, saveIndex, SNAPSHOT_FORMAT } from '../../../src/storage/lexical/minisearch-snapshot';
import { createLexicalIndex } from '../../../src/storage/lexical/minisearch-index';

const VOCABULARY = 'coffee tea sister morning lake painting hiking 2023 zoë são paulo kyoto the a running runs'.split(' ');
const OPTIONS = { fields: ['text', 'title'], storeFields: [] };
const sentence = fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: 12 }).map((words) => words.join(' '));

describe('lexical snapshot format', () => {
  it('restores the state MiniSearch loadJS restores, after adds, discards and a vacuum (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(sentence, sentence), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(39), { maxLength: 10 }),
        fc.boolean(),
        async (docs, discarded, vacuum) => {
          const search = new MiniSearch<{ id: string; text: string; title: string }>(OPTIONS);
          docs.forEach(([text, title], i) => search.add({ id: `m${i}`, text, title }));
          for (const at of new Set(discarded)) if (search.has(`m${at}`)) search.discard(`m${at}`);
          if (vacuum) await search.vacuum({ batchWait: 0 });
          const restored = loadIndex(saveIndex(search as MiniSearch<never>, 7), 7, OPTIONS)!;
          const reference = MiniSearch.loadJS(JSON.parse(JSON.stringify(search)), OPTIONS);
          expect(restored.toJSON()).toEqual(reference.toJSON());
          expect(restored.documentCount).toBe(reference.documentCount);
          for (const query of ['coffee', 'sister lake', 'runs painting 2023', 'zoë']) {
            for (const options of [{}, { prefix: true }, { fuzzy: 0.2 }]) {
              expect(restored.search(query, options)).toEqual(reference.search(query, options));
            }
          }
          docs.forEach((_, i) => expect(restored.has(`m${i}`)).toBe(reference.has(`m${i}`)));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives the lexical index back with the same results, spelling walk and size, and takes further changes', async () => {
    const index = createLexicalIndex();
    const texts = [
      'Coffee with my sister by the lake',
      'Painting the lake at sunrise',
      'Hiking in Kyoto in 2023',
      'Tea at São Paulo',
    ];
    texts.forEach((text, i) => index.upsert(`m${i}`, text));
    index.upsert('m1', 'Painted the lake again'); // replaced: its old terms go with the vacuum
    index.remove('m3');
    const snapshot = await index.snapshot();
    expect(JSON.parse(snapshot)).toMatchObject({ format: SNAPSHOT_FORMAT });
    const restored = createLexicalIndex(snapshot);
    expect(restored.size).toBe(index.size);
    for (const query of ['lake', 'coffee sister', 'paint', 'kyoto 2023', 'tea'])
      expect(restored.search(query, 5)).toEqual(index.search(query, 5));
    expect(restored.near!('lak', 1)).toEqual(index.near!('lak', 1));
    expect(restored.has('m3')).toBe(false);
    restored.upsert('m4', 'Coffee again');
    restored.remove('m0');
    await restored.settled();
    expect(restored.search('coffee', 5).map((hit) => hit.id)).toEqual(['m4']);
  });

  it('starts empty from the format before, another format or analyser, or a damaged snapshot', async () => {
    const index = createLexicalIndex();
    index.upsert('1', 'paintings of the lake');
    const snapshot = await index.snapshot();
    expect(createLexicalIndex(snapshot).size).toBe(1);
    const saved = JSON.parse(snapshot) as Record<string, unknown>;
    const before = new MiniSearch({ fields: ['text'] });
    before.add({ id: '1', text: 'paintings of the lake' });
    const variants = [
      JSON.stringify({ analyzer: saved.analyzer, index: before }), // format 1: MiniSearch's toJSON
      JSON.stringify({ ...saved, format: SNAPSHOT_FORMAT + 1 }),
      JSON.stringify({ ...saved, analyzer: 1 }),
      JSON.stringify({ ...saved, terms: undefined }),
      JSON.stringify({ ...saved, documents: 'x' }),
      snapshot.slice(0, snapshot.length / 2),
      'null',
    ];
    for (const variant of variants) expect(createLexicalIndex(variant).size).toBe(0);
  });
});
