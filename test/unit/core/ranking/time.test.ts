import { describe, expect, it } from 'vitest';
import { inSpan, timeOf, timeSpans, type TimeSpan } from '../../../../src/core/ranking/time-expressions';
import { boostByTime, MemoryTimes } from '../../../../src/core/ranking/time-prior';
import type { MemoryItem } from '../../../../src/sdk/types';
import { rankedBy, turnItem } from './fixtures';
import { MemoryService } from '../../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../../src/core/semantic/embedder-slot';
import { DEFAULT_RANKING } from '../../../../src/sdk/options';
import { openDatabase } from '../../../../src/storage/db';
import { createMemoryRepository } from '../../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../../src/storage/vector/flat-index';

const NOW = Date.UTC(2026, 11, 5, 15); // Saturday 5 December 2026, 15:00 UTC
const day = (iso: string) => Date.parse(`${iso}T12:00:00Z`);
const days = (span: TimeSpan) =>
  'month' in span
    ? span
    : { from: new Date(span.from).toISOString().slice(0, 10), to: new Date(span.to).toISOString().slice(0, 10) };
const spansOf = (text: string) => timeSpans(text, NOW).map(days);

describe('time expressions', () => {
  it('reads days, months and years in the usual English forms', () => {
    expect(spansOf('What did Gina find on 1 February, 2023?')).toEqual([{ from: '2023-01-31', to: '2023-02-03' }]);
    expect(spansOf('the painting shown on October 13th, 2023')).toEqual([{ from: '2023-10-12', to: '2023-10-15' }]);
    expect(spansOf('What setback came in October 2023?')).toEqual([{ from: '2023-10-01', to: '2023-11-01' }]);
    expect(spansOf('How often did we go in 2022?')).toEqual([{ from: '2022-01-01', to: '2023-01-01' }]);
    expect(spansOf('logged 2023-05-08 and 2024-02')).toEqual([
      { from: '2023-05-07', to: '2023-05-10' },
      { from: '2024-02-01', to: '2024-03-01' },
    ]);
    expect(spansOf('Where did we go camping in June?')).toEqual([{ month: 5 }]);
    expect(spansOf('Sept 3rd')).toEqual([{ month: 8 }]); // no year: that month, any year
  });

  it('resolves relative expressions against now', () => {
    expect(spansOf('what did I eat yesterday')).toEqual([{ from: '2026-12-03', to: '2026-12-06' }]);
    expect(spansOf('the trip last year')).toEqual([{ from: '2025-01-01', to: '2026-01-01' }]);
    expect(spansOf('the concert last May')).toEqual([{ from: '2026-05-01', to: '2026-06-01' }]);
    expect(spansOf('the party last December')).toEqual([{ from: '2025-12-01', to: '2026-01-01' }]);
    expect(spansOf('this month')).toEqual([{ from: '2026-12-01', to: '2027-01-01' }]);
    const lastWeek = timeSpans('what did we cook last week', NOW)[0]!;
    expect(inSpan(day('2026-11-27'), lastWeek)).toBe(true);
    expect(inSpan(day('2026-12-04'), lastWeek)).toBe(false);
    const ago = timeSpans('the call three days ago', NOW)[0]!;
    expect(inSpan(day('2026-12-02'), ago)).toBe(true);
    expect(inSpan(day('2026-11-25'), ago)).toBe(false);
  });

  it('names no time in text without one, and does not take the verb "may" for the month', () => {
    expect(timeSpans('May I ask what you cooked?', NOW)).toEqual([]);
    expect(timeSpans('She may come over on Friday', NOW)).toEqual([]);
    expect(timeSpans('What does Ana like to cook?', NOW)).toEqual([]);
    expect(spansOf('What did we do in may?')).toEqual([{ month: 4 }]);
  });

  it('dates a memory from a date text', () => {
    expect(new Date(timeOf('1:56 pm on 8 May, 2023', NOW)!).toISOString().slice(0, 10)).toBe('2023-05-08');
    expect(timeOf('some day', NOW)).toBeUndefined();
  });
});

const item = (id: string, metadata: MemoryItem['metadata'], validFrom = NOW): MemoryItem =>
  turnItem(id, metadata, NOW, validFrom);
const ranked = rankedBy('dense');

describe('time-aware ranking', () => {
  const mayTurn = item('we went to the lake', { date: '4:04 pm on 20 May, 2026' });
  const julyTurn = item('we went to the sea', { date: '2026-07-02' });
  const noted = item('a note from May', {}, day('2026-05-11'));
  const times = new MemoryTimes();
  const rank = (query: string, weight = 0.3) =>
    boostByTime(
      ranked([
        [julyTurn, 1],
        [mayTurn, 0.9],
        [noted, 0.5],
      ]),
      timeSpans(query, NOW),
      weight,
      (memory) => times.of(memory, NOW),
    );

  it('a question about "last May" prefers what was said in sessions dated then', () => {
    const after = rank('Where did we go last May?');
    expect(after.map((r) => r.item.id)).toEqual(['we went to the lake', 'we went to the sea', 'a note from May']);
    expect(after[0]!.explanation.contributions.time).toBeCloseTo(0.27, 9);
    // A memory without a date text is dated by validFrom.
    expect(after.find((r) => r.item.id === 'a note from May')!.score).toBeCloseTo(0.65, 9);
  });

  it('reads a date text once for the memories that share it, and again after a change', () => {
    const own = new MemoryTimes();
    const [first, second] = [item('first', { date: '8 May, 2023' }), item('second', { date: '8 May, 2023' })];
    expect(own.of(second, NOW)).toBe(own.of(first, NOW));
    expect(new Date(own.of(first, NOW)).toISOString().slice(0, 10)).toBe('2023-05-08');
    // A relative date text is read with the time of the first search that needs it, until a change.
    const [today, later] = [item('today', { date: 'yesterday' }), item('later', { date: 'yesterday' })];
    const yesterday = own.of(today, NOW);
    expect(own.of(later, NOW + 3 * 86_400_000)).toBe(yesterday);
    own.invalidate();
    const edited = item('first', { date: '9 June, 2023' });
    expect(new Date(own.of(edited, NOW)).toISOString().slice(0, 10)).toBe('2023-06-09');
    expect(own.of(later, NOW + 3 * 86_400_000)).toBe(yesterday + 3 * 86_400_000);
  });

  it('changes nothing for a query without a time, or at weight 0', () => {
    expect(rank('Where did we go?').map((r) => r.score)).toEqual([1, 0.9, 0.5]);
    expect(rank('Where did we go last May?', 0).map((r) => r.score)).toEqual([1, 0.9, 0.5]);
  });
});

describe('search with the default ranking', () => {
  it('puts the hike of the month the question names first, by metadata.date or by the time it was said', async () => {
    const service = await MemoryService.open({
      store: createMemoryRepository(openDatabase(`time-${Date.now()}`)),
      embedder: new EmbedderSlot(undefined),
      createLexicalIndex: (snapshot) => createLexicalIndex(snapshot),
      createVectorIndex: (dimension) => createFlatIndex(dimension),
      clock: { now: () => NOW },
      ranking: DEFAULT_RANKING,
      recencyHalfLifeDays: 30,
      embedBatchSize: 8,
    });
    await service.addMany([
      { text: 'We went hiking in the hills', metadata: { date: '1:56 pm on 8 May, 2023' } },
      { text: 'We went hiking by the lake', metadata: { date: '4:10 pm on 9 October, 2023' } },
      { text: 'We went hiking up the volcano', validFrom: day('2026-11-20') },
    ]);
    const first = async (query: string) => (await service.search(query))[0]?.item.text;
    expect(await first('Where did we go hiking in October 2023?')).toBe('We went hiking by the lake');
    expect(await first('Where did we go hiking on 8 May 2023?')).toBe('We went hiking in the hills');
    expect(await first('Where did we go hiking last month?')).toBe('We went hiking up the volcano');
  });
});
