import { describe, expect, it } from 'vitest';
import type { Ranked } from '../../../../src/core/ranking/hybrid';
import { boostNamedSpeakers, Speakers } from '../../../../src/core/ranking/speakers';
import { boostBySession } from '../../../../src/core/ranking/session-prior';
import type { MemoryItem } from '../../../../src/sdk/types';
import { rankedBy, turnItem } from './fixtures';

const item = (id: string, metadata: MemoryItem['metadata'], at = 0): MemoryItem => turnItem(id, metadata, at);
const ranked = rankedBy('dense');
const order = (list: Ranked[]) => list.map((r) => r.item.id);

describe('speaker-aware ranking', () => {
  const byAna = item('ana said', { speaker: 'Ana Lima' }, 1);
  const byBo = item('bo said', { speaker: 'Bo' }, 2);
  const plain = item('note', {}, 3);
  const all = new Map([byAna, byBo, plain].map((m) => [m.id, m]));

  it('finds the speakers a query names, by first name in any case, and no one else', () => {
    const speakers = new Speakers();
    expect([...speakers.named('What does ANA like to cook?', all)]).toEqual(['ana']);
    expect(speakers.named('What do we like to cook?', all).size).toBe(0);
    expect(speakers.named('Banana bread', all).size).toBe(0); // a word, not a part of one
  });

  it('lifts what the named person said above what others said, and leaves the rest as it was', () => {
    const before = ranked([
      [byBo, 1],
      [plain, 0.95],
      [byAna, 0.9],
    ]);
    const after = boostNamedSpeakers(before, new Set(['ana']), 0.2);
    expect(order(after)).toEqual(['ana said', 'bo said', 'note']);
    const ana = after.find((r) => r.item.id === 'ana said')!;
    expect(ana.score).toBeCloseTo(1.08, 9);
    expect(ana.explanation.contributions.speaker).toBeCloseTo(0.18, 9);
    expect(boostNamedSpeakers(before, new Set(), 0.2)).toBe(before);
    expect(boostNamedSpeakers(before, new Set(['ana']), 0)).toBe(before);
  });

  it('with mentions on, lifts what others said naming the person, by the smaller share', () => {
    const askingAna = item('how is the new job, ana?', { speaker: 'Bo' }, 4);
    const before = ranked([
      [byBo, 1],
      [askingAna, 0.95],
      [byAna, 0.9],
    ]);
    const after = boostNamedSpeakers(before, new Set(['ana']), 0.2, 0.1);
    expect(order(after)).toEqual(['ana said', 'how is the new job, ana?', 'bo said']);
    expect(after.find((r) => r.item.id === 'how is the new job, ana?')!.explanation.contributions.speaker).toBeCloseTo(0.095, 9);
    // Ana's own memory gains the speaker share, not both; without mentions the question stays behind Bo's memory.
    expect(after.find((r) => r.item.id === 'ana said')!.score).toBeCloseTo(1.08, 9);
    expect(order(boostNamedSpeakers(before, new Set(['ana']), 0.2))).toEqual(['ana said', 'bo said', 'how is the new job, ana?']);
    // "banana" is not "ana".
    const banana = ranked([[item('banana bread', { speaker: 'Bo' }, 5), 1]]);
    expect(boostNamedSpeakers(banana, new Set(['ana']), 0.2, 0.1)[0]!.score).toBe(1);
  });

  it('forgets a speaker whose memories are gone once invalidated', () => {
    const speakers = new Speakers();
    const map = new Map(all);
    expect(speakers.named('ana', map).size).toBe(1);
    map.delete('ana said');
    speakers.invalidate();
    expect(speakers.named('ana', map).size).toBe(0);
  });
});

describe('session prior (sessions, then turns)', () => {
  it('lifts the turns of the session that matched best over an equal turn of another session', () => {
    const strong = item('strong', { session: 1 }, 1);
    const sameSession = item('same session', { session: 1 }, 2);
    const otherSession = item('other session', { session: 2 }, 3);
    const loose = item('no session', {}, 4);
    const after = boostBySession(
      ranked([
        [strong, 1],
        [otherSession, 0.5],
        [loose, 0.5],
        [sameSession, 0.45],
      ]),
      0.2,
    );
    expect(order(after)).toEqual(['strong', 'same session', 'other session', 'no session']);
    expect(after.find((r) => r.item.id === 'same session')!.explanation.contributions.session).toBeCloseTo(0.2, 9);
    expect(after.find((r) => r.item.id === 'no session')!.score).toBe(0.5);
  });

  it('changes nothing at weight 0', () => {
    const list = ranked([[item('a', { session: 1 }), 1]]);
    expect(boostBySession(list, 0)).toBe(list);
  });
});
