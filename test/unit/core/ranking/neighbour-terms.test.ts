import { describe, expect, it } from 'vitest';
import { rankedBy, turnItem } from './fixtures';
import { lendNeighbourTerms } from '../../../../src/core/ranking/neighbour-terms';
import type { LexicalHit } from '../../../../src/core/ports';
import type { MemoryItem } from '../../../../src/sdk/types';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';

const turn = (id: string, at: number): MemoryItem => turnItem(id, { session: 1 }, at);
const ranked = rankedBy('lexical');

// "What did Ana research?" over a chat: Bo asks what Ana researched, Ana answers without the word.
const question = turn('bo: what did you research, ana?', 1);
const answer = turn('ana: adoption agencies', 2);
const aside = turn('bo: nice weather', 3);
const elsewhere = turn('ana: I love research on birds', 10);
const items = new Map([question, answer, aside, elsewhere].map((m) => [m.id, m]));
const thread = [question.id, answer.id, aside.id];
const neighboursOf = (id: string) => {
  const at = thread.indexOf(id);
  return at < 0 ? [] : [thread[at - 1], thread[at + 1]].filter((n): n is string => n !== undefined);
};
const lexical: LexicalHit[] = [
  { id: question.id, score: 2, terms: ['research', 'ana'] },
  { id: answer.id, score: 0.5, terms: ['ana'] },
  { id: elsewhere.id, score: 1.2, terms: ['research', 'ana'] },
];
const base = { lexicalWeight: 0.7, lexical, neighboursOf, items, accept: () => true };

describe('neighbour context in the match', () => {
  it('lifts the answer above a turn that matched on its own by the query word its question holds', () => {
    const before = ranked([
      [question, 0.7],
      [elsewhere, 0.42],
      [answer, 0.4],
    ]);
    const after = lendNeighbourTerms(before, { ...base, weight: 0.5 });
    const ids = after.map((r) => r.item.id);
    expect(ids.indexOf(answer.id)).toBeLessThan(ids.indexOf(elsewhere.id));
    const lifted = after.find((r) => r.item.id === answer.id)!;
    // "research" is one of the two query terms; "ana" the answer already holds, so only "research" counts.
    const research = Math.log(1 + 4 / 2);
    const ana = Math.log(1 + 4 / 3);
    expect(lifted.explanation.contributions.neighbourTerms).toBeCloseTo((0.5 * 0.7 * research) / (research + ana), 9);
    // The question holds every term: its neighbours add nothing to it.
    expect(after.find((r) => r.item.id === question.id)!.score).toBe(0.7);
  });

  it('brings in the turns beside a keyword hit that were no candidate, by the words they lack', () => {
    const after = lendNeighbourTerms(ranked([[question, 0.7]]), { ...base, weight: 0.5 });
    expect(after.map((r) => r.item.id)).toEqual([question.id, answer.id, aside.id]);
    const joined = after.find((r) => r.item.id === answer.id)!;
    expect(joined.explanation.via).toEqual(['neighbour']);
    // The answer borrows the rarer "research" from the question; the aside only "ana" from the answer.
    expect(joined.score).toBeGreaterThan(after.find((r) => r.item.id === aside.id)!.score);
  });

  it('changes nothing when off, or when the index tells no terms', () => {
    const list = ranked([[question, 0.7]]);
    expect(lendNeighbourTerms(list, { ...base, weight: 0 })).toBe(list);
    const bare = lexical.map(({ id, score }) => ({ id, score }));
    expect(lendNeighbourTerms(list, { ...base, lexical: bare, weight: 0.5 })).toBe(list);
  });
});

describe('search with neighbour context in the match', () => {
  const open = (neighbourTerms: number) =>
    MemoryService.open({
      store: createMemoryRepository(openDatabase(`neighbour-terms-${neighbourTerms}-${Date.now()}`)),
      embedder: new EmbedderSlot(undefined),
      createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
      createVectorIndex: (dimension) => createFlatIndex(dimension),
      clock: { now: () => Date.UTC(2026, 11, 5) },
      ranking: { ...DEFAULT_RANKING, neighbour: 0, neighbourTerms },
      recencyHalfLifeDays: 30,
      embedBatchSize: 8,
    });
  const chat = [
    { text: 'What did you research at the library, Ana?', kind: 'turn' as const, metadata: { session: 1, speaker: 'Bo' } },
    { text: 'Adoption agencies, mostly.', kind: 'turn' as const, metadata: { session: 1, speaker: 'Ana' } },
    { text: 'Ana, the library closes early on Sundays.', kind: 'turn' as const, metadata: { session: 2, speaker: 'Bo' } },
  ];

  it('finds the answer that holds none of the query words through the question before it, only when on', async () => {
    const on = await open(0.3);
    await on.addMany(chat);
    const found = await on.search('What did Ana research?');
    expect(found.map((r) => r.item.text).slice(0, 2)).toEqual([chat[0]!.text, chat[1]!.text]);
    expect(found[1]!.explanation.contributions.neighbourTerms).toBeGreaterThan(0);
    const off = await open(0);
    await off.addMany(chat);
    expect((await off.search('What did Ana research?')).map((r) => r.item.text)).not.toContain(chat[1]!.text);
  });
});
