import { describe, expect, it } from 'vitest';
import { MemoryService, type MemoryServiceDeps } from '../../../src/core/semantic/memory-service';
import { EmbedderSlot } from '../../../src/core/semantic/embedder-slot';
import { blockedBy, effectiveImportance, redact } from '../../../src/core/archive/policies';
import { sweep } from '../../../src/core/archive/sweeper';
import { DEFAULT_RANKING } from '../../../src/sdk/options';
import type { MemoryItem } from '../../../src/sdk/types';
import { openDatabase } from '../../../src/storage/db';
import { createMemoryRepository } from '../../../src/storage/memory-repository';
import { createLexicalIndex } from '../../../src/storage/lexical/minisearch-index';
import { createFlatIndex } from '../../../src/storage/vector/flat-index';

const DAY = 86_400_000;
let counter = 0;

const sweepNow = (service: MemoryService, clock: { now: number }, retention = {}) =>
  sweep(service, retention, { now: () => clock.now });

function open(clock: { now: number }, extra: Partial<MemoryServiceDeps> = {}) {
  return MemoryService.open({
    store: createMemoryRepository(openDatabase(`policies-${Date.now()}-${counter++}`)),
    embedder: new EmbedderSlot(undefined),
    createLexicalIndex,
    createVectorIndex: (dimension) => createFlatIndex(dimension),
    clock: { now: () => clock.now },
    ranking: DEFAULT_RANKING,
    recencyHalfLifeDays: 30,
    embedBatchSize: 8,
    ...extra,
  });
}

describe('decay', () => {
  it('lowers importance by 0.95 a day since last use, never for pinned memories', () => {
    const item = { importance: 0.8, pinned: false, updatedAt: 0 } as MemoryItem;
    expect(effectiveImportance(item, 10 * DAY)).toBeCloseTo(0.8 * 0.95 ** 10, 9);
    expect(effectiveImportance({ ...item, lastAccessedAt: 9 * DAY }, 10 * DAY)).toBeCloseTo(0.8 * 0.95, 9);
    expect(effectiveImportance({ ...item, pinned: true }, 400 * DAY)).toBe(0.8);
  });

  it('archives what decayed below 0.1, keeps it out of search until restored, and leaves pinned memories alone', async () => {
    const clock = { now: 100 * DAY };
    const service = await open(clock);
    const fading = await service.add({ text: 'The old gym locker code', importance: 0.5 });
    const pinned = await service.add({ text: 'The gym is on Elm Street', importance: 0.5, pinned: true });
    const used = await service.add({ text: 'The gym opens at six', importance: 0.5 });
    clock.now += 20 * DAY;
    await service.touch([used.id]);
    clock.now += 15 * DAY; // 35 days: 0.5 × 0.95^35 ≈ 0.083 < 0.1; the touched one is at 0.5 × 0.95^15 ≈ 0.23
    expect(await sweepNow(service, clock)).toEqual({ archived: [fading.id], deleted: [] });
    expect((await service.search('gym')).map((r) => r.item.id).sort()).toEqual([pinned.id, used.id].sort());
    expect((await service.search('gym', { includeArchived: true })).map((r) => r.item.id)).toContain(fading.id);
    expect((await service.history(fading.id)).at(-1)).toMatchObject({
      actor: 'policy',
      action: 'archive',
      reason: 'importance decayed below 0.1',
    });
    await service.setArchived(fading.id, undefined, 'user');
    expect((await service.search('locker')).map((r) => r.item.id)).toEqual([fading.id]);
    expect(await sweepNow(service, clock)).toEqual({ archived: [], deleted: [] });
  });
});

describe('last use, stored to the day', () => {
  it('stores when a memory was last used as the start of its day, and rounds a time stored exactly before', async () => {
    const clock = { now: 100 * DAY + 13 * 3_600_000 + 4_321 };
    const store = createMemoryRepository(openDatabase(`policies-day-${Date.now()}-${counter++}`));
    const service = await open(clock, { store });
    const used = await service.add({ text: 'The piano tuner comes on Fridays', importance: 0.5 });
    const older = await service.add({ text: 'The tuner charges ninety euros', importance: 0.5 });
    await service.touch([used.id]);
    expect((await store.get(used.id))?.lastAccessedAt).toBe(100 * DAY);
    // An older version stored the exact time: the next sweep rounds it down to its day.
    await store.putMany([{ ...older, lastAccessedAt: 90 * DAY + 5 * 3_600_000 + 17 }], []);
    const reopened = await open(clock, { store });
    await sweepNow(reopened, clock);
    expect((await store.get(older.id))?.lastAccessedAt).toBe(90 * DAY);
    expect((await store.get(used.id))?.lastAccessedAt).toBe(100 * DAY);
  });
});

describe('retention', () => {
  it('deletes memories older than their kind allows, with vectors and index entries, and keeps the rest', async () => {
    const clock = { now: 10 * DAY };
    const service = await open(clock);
    const oldTurn = await service.add({ text: 'what was said about the boat', kind: 'turn', importance: 1 });
    const fact = await service.add({ text: 'the boat is blue', kind: 'fact', importance: 1 });
    clock.now += 31 * DAY;
    const recentTurn = await service.add({ text: 'the boat trip is next week', kind: 'turn', importance: 1 });
    const report = await sweepNow(service, clock, { turn: 30 });
    expect(report.deleted).toEqual([oldTurn.id]);
    expect((await service.search('boat')).map((r) => r.item.id).sort()).toEqual([fact.id, recentTurn.id].sort());
    expect((await service.history(oldTurn.id)).at(-1)).toMatchObject({ actor: 'policy', action: 'delete' });
  });
});

describe('"do not remember" rules', () => {
  it('recognises card numbers (Luhn), passwords, health data, government ids and custom patterns', () => {
    expect(blockedBy('my card is 4111 1111 1111 1111', ['card-number'], [])).toBe('card-number');
    expect(blockedBy('order number 4111 1111 1111 1112', ['card-number'], [])).toBeUndefined();
    expect(blockedBy('My password is hunter2', ['password'], [])).toBe('password');
    expect(blockedBy('I was diagnosed with diabetes', ['health'], [])).toBe('health');
    expect(blockedBy('SSN 123-45-6789', ['government-id'], [])).toBe('government-id');
    expect(blockedBy('project Bluebird launches', [], [/bluebird/i])).toBe('pattern bluebird');
    expect(blockedBy('I was diagnosed with diabetes', [], [])).toBeUndefined();
  });

  it('refuses to store blocked text, on add and on edit, and stores nothing', async () => {
    const service = await open({ now: DAY }, { blockedBy: (text) => blockedBy(text, ['password'], []) });
    await expect(service.add({ text: 'the wifi password is swordfish' })).rejects.toMatchObject({
      code: 'DO_NOT_REMEMBER',
      details: { rule: 'password' },
    });
    const kept = await service.add({ text: 'the wifi network is called Home' });
    await expect(service.update(kept.id, { text: 'the wifi password: swordfish' })).rejects.toMatchObject({
      code: 'DO_NOT_REMEMBER',
    });
    expect(service.all().map((item) => item.text)).toEqual(['the wifi network is called Home']);
  });

  it('redacts only what a rule withholds: the value of a password, the number of a card or ID, a health sentence', () => {
    expect(redact('My password is tulip42. My card number is 4111 1111 1111 1111', ['password', 'card-number'], [])).toEqual({
      text: 'My password is [withheld: password]. My card number is [withheld: card-number]',
      withheld: ['password', 'card-number'],
    });
    expect(redact('SSN 123-45-6789, thanks', ['government-id'], []).text).toBe('SSN [withheld: government-id], thanks');
    expect(redact('I live in Porto. I take medication for my heart!\nSee you', ['health'], []).text).toBe(
      'I live in Porto. [withheld: health]\nSee you',
    );
    expect(redact('Nothing private here', ['password', 'health'], [/salary/i])).toEqual({
      text: 'Nothing private here',
      withheld: [],
    });
  });

  it('leaves nothing a rule would still find, and never takes its own marker for private text', () => {
    // Overlapping rules: the wider span (the sentence of a pattern) wins, both rules are named.
    expect(redact('pin: 4321 and my salary is high', ['password'], [/salary/i])).toEqual({
      text: '[withheld: pattern]',
      withheld: ['pattern', 'password'],
    });
    // A pattern that spans sentences withholds the whole text.
    expect(redact('Bank A. Balance 300', [], [/bank a\. balance/i]).text).toBe('[withheld: pattern]');
    // Text already redacted passes every rule: a marker is neither a password nor a pattern match.
    const stored = 'My password is [withheld: password]';
    expect(blockedBy(stored, ['password'], [/withheld/i])).toBeUndefined();
    expect(redact(stored, ['password'], []).text).toBe(stored);
  });
});
