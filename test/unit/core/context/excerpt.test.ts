import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../../src/core/context/context-builder';
import { excerpt, sentences } from '../../../../src/core/context/excerpt';
import { ranked } from './fixtures';

const story =
  'Back from the trip. The weather was grey all week. We painted the lake at sunrise on Tuesday. ' +
  'Then we drove home. The car broke down twice.';

describe('excerpts of long memories', () => {
  it('splits a text into its sentences, signs kept', () => {
    expect(sentences('One. Two! Three? Four… five')).toEqual(['One.', 'Two!', 'Three?', 'Four…', 'five']);
  });

  it('keeps the first sentence and the one that shares most words with the query, gaps marked', () => {
    expect(excerpt(story, 'When did they paint the sunrise?')).toBe(
      'Back from the trip. … We painted the lake at sunrise on Tuesday. …',
    );
    expect(excerpt(story, 'Whose car broke down?')).toBe('Back from the trip. … The car broke down twice.');
  });

  it('never cuts a memory of one or two sentences, or one whose later sentences share no word with the query', () => {
    expect(excerpt('Short one. Still short.', 'short')).toBeUndefined();
    expect(excerpt(story, 'Which hobby relaxes her?')).toBeUndefined();
  });

  it('shows the best-ranked memories whole and the later long ones as excerpts, so more fit in the budget', () => {
    // Near-copies of one text, so dedupe is off: only the cut is measured.
    const memories = ranked([story, ...Array.from({ length: 30 }, (_, i) => `Day ${i}: ${story}`)]);
    const query = 'When did they paint the sunrise?';
    const whole = buildContext({ memories, query }, { budget: 400, dedupe: false, excerptFrom: Infinity });
    const cut = buildContext({ memories, query }, { budget: 400, dedupe: false, excerptFrom: 1 });
    expect(cut.prompt).toContain(`- ${story}\n`);
    expect(cut.prompt).toContain('- Day 0: Back from the trip. … We painted the lake at sunrise on Tuesday. …\n');
    expect(cut.prompt).not.toContain('- Day 0: Back from the trip. The weather');
    expect(cut.memoriesUsed.length).toBeGreaterThan(whole.memoriesUsed.length);
    expect(cut.memoryTokens).toBeLessThanOrEqual(400);
    expect(whole.prompt).not.toContain('…');
  });

  it('by default keeps the ten best-ranked memories whole and cuts the long ones after them', () => {
    const memories = ranked(Array.from({ length: 12 }, (_, i) => `Day ${i}: ${story}`));
    const bundle = buildContext({ memories, query: 'Whose car broke down?' }, { budget: 5_000, dedupe: false });
    expect(bundle.memoriesUsed).toHaveLength(12);
    for (let i = 0; i < 10; i++) expect(bundle.prompt).toContain(`- Day ${i}: ${story}\n`);
    for (const i of [10, 11]) expect(bundle.prompt).toContain(`- Day ${i}: Back from the trip. … The car broke down twice.\n`);
  });
});
