import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../../src/core/context/context-builder';
import { estimateTokenizer } from '../../../../src/core/context/estimate-tokenizer';
import { charTokenizer, conversation, emptyProfile, episode, memory, MEMORY_TAGS, ranked, wordTokenizer } from './fixtures';

const long = (i: number) => `memory number ${i} ${'detail '.repeat(12)}`.trim();
const memorySectionTokens = (bundle: ReturnType<typeof buildContext>, count: (t: string) => number) =>
  bundle.sections.filter((s) => MEMORY_TAGS.includes(s.tag)).reduce((sum, s) => sum + count(s.content), 0);

describe('memory budget', () => {
  it.each([
    ['the estimate', estimateTokenizer],
    ['a character count', charTokenizer],
    ['a word count', wordTokenizer],
  ])('keeps the four memory sections, tags included, within the budget with %s', (_, tokenizer) => {
    const input = {
      profile: { ...emptyProfile(), name: 'Sam', goals: ['learn Portuguese', 'run a marathon'] },
      memories: ranked(Array.from({ length: 30 }, (_, i) => long(i))),
      experiences: [episode('Move flat', { lessons: ['label the boxes'] }), episode('File taxes')],
      summary: 'We talked about the move. '.repeat(20),
      query: 'q',
    };
    for (const budget of [0, 7, 40, 120, 300, 1_500]) {
      const bundle = buildContext(input, { tokenizer, budget });
      expect(bundle.memoryTokens).toBeLessThanOrEqual(budget);
      expect(memorySectionTokens(bundle, tokenizer.count)).toBe(bundle.memoryTokens);
    }
  });

  it('has no memory section at budget 0 but still the role and the query', () => {
    const bundle = buildContext(
      { profile: { ...emptyProfile(), name: 'Sam' }, memories: ranked(['a']), query: 'q' },
      { budget: 0 },
    );
    expect(bundle.sections.map((s) => s.tag)).toEqual(['role', 'user_query']);
    expect(bundle.dropped).toMatchObject({ profile: 1, memories: 1 });
  });

  it('never cuts an item: each one is in the prompt whole or not at all', () => {
    const memories = ranked(Array.from({ length: 30 }, (_, i) => long(i)));
    const bundle = buildContext({ memories, query: 'q' }, { budget: 200 });
    for (const result of memories) {
      const whole = bundle.prompt.includes(`- ${result.item.text}\n`);
      expect(whole).toBe(bundle.memoriesUsed.includes(result.item.id));
      if (!whole) expect(bundle.prompt).not.toContain(`memory number ${result.item.id.slice(1)} `);
    }
  });
});

describe('priority when things do not fit', () => {
  const input = {
    profile: { ...emptyProfile(), name: 'Sam', interests: ['chess'] },
    memories: ranked(Array.from({ length: 20 }, (_, i) => long(i))),
    experiences: [episode('Book a table', { lessons: ['book early'] })],
    summary: 'x '.repeat(400),
    query: 'q',
  };

  it('fills the profile first, then memories in rank order, and reports what was dropped', () => {
    const bundle = buildContext(input, { budget: 200 });
    expect(bundle.prompt).toContain('name: Sam\ninterest: chess');
    expect(bundle.dropped.profile).toBe(0);
    expect(bundle.memoriesUsed.length).toBeGreaterThan(0);
    expect(bundle.memoriesUsed).toEqual(input.memories.slice(0, bundle.memoriesUsed.length).map((m) => m.item.id));
    expect(bundle.dropped.memories).toBe(20 - bundle.memoriesUsed.length);
    expect(bundle.dropped.summary).toBe(1);
    expect(bundle.sections.map((s) => s.tag)).not.toContain('conversation_summary');
  });

  it('drops experiences and the summary before memories, and keeps all of them when the budget allows', () => {
    const three = { ...input, memories: input.memories.slice(0, 3) };
    // Room for the profile and three memories, and not for one more item.
    const room = buildContext({ ...three, experiences: [], summary: '' }).memoryTokens + 1;
    const tight = buildContext(three, { budget: room });
    expect(tight.memoriesUsed).toEqual(['m0', 'm1', 'm2']);
    expect(tight.dropped).toMatchObject({ memories: 0, experiences: 1, summary: 1 });
    const roomy = buildContext(input, { budget: 5_000 });
    expect(roomy.dropped).toMatchObject({ profile: 0, memories: 0, experiences: 0, summary: 0 });
  });

  it('lets a later, smaller item take the room a larger one could not use', () => {
    const memories = ranked(['tiny one', 'huge '.repeat(300).trim(), 'tiny two']);
    const bundle = buildContext({ memories, query: 'q' }, { budget: 60 });
    expect(bundle.memoriesUsed).toEqual(['m0', 'm2']);
    expect(bundle.dropped.memories).toBe(1);
  });
});

describe('memoriesUsed', () => {
  it('lists exactly the memories whose lines are in the prompt, in rank order', () => {
    const memories = ranked(Array.from({ length: 12 }, (_, i) => `fact ${i} ${'x'.repeat(i * 7 + 1)}`));
    for (const budget of [0, 30, 90, 400]) {
      const bundle = buildContext({ memories, query: 'q' }, { budget });
      const inPrompt = memories.filter((m) => bundle.prompt.includes(`- ${m.item.text}\n`)).map((m) => m.item.id);
      expect(bundle.memoriesUsed).toEqual(inPrompt);
      expect(bundle.memoriesUsed.length + bundle.dropped.memories).toBe(12);
    }
  });

  it('counts a memory given twice once', () => {
    const bundle = buildContext({ memories: [memory('a', 'one'), memory('b', 'two'), memory('a', 'one')], query: 'q' });
    expect(bundle.memoriesUsed).toEqual(['a', 'b']);
    expect(bundle.prompt.match(/- one\n/g)).toHaveLength(1);
  });
});

describe('recent turns and overflow', () => {
  it('keeps the newest turns within their own budget and reports the overflow', () => {
    const bundle = buildContext({ recentTurns: conversation(40), query: 'q' }, { turnBudget: 200 });
    const section = bundle.sections.find((s) => s.tag === 'recent_conversation')!;
    expect(section.tokens).toBeLessThanOrEqual(200);
    expect(section.content).toContain('message 39');
    expect(section.content).not.toContain('message 0 ');
    expect(bundle.overflow).toBe(true);
    const kept = section.content.split('\n').length - 2;
    expect(bundle.dropped.turns).toBe(40 - kept);
  });

  it('keeps an unbroken run: an older short turn does not jump a newer long one', () => {
    const turns = [...conversation(2, 1), ...conversation(1, 300).map((t) => ({ ...t, seq: 2, id: 't2' }))];
    const bundle = buildContext({ recentTurns: turns, query: 'q' }, { turnBudget: 100 });
    expect(bundle.sections.map((s) => s.tag)).not.toContain('recent_conversation');
    expect(bundle.dropped.turns).toBe(3);
    expect(bundle.overflow).toBe(true);
  });

  it('reports no overflow when every turn fits, and turns never eat the memory budget', () => {
    const memories = ranked(['Lives in Lisbon']);
    const few = buildContext({ memories, recentTurns: conversation(4), query: 'q' });
    expect(few.overflow).toBe(false);
    expect(few.dropped.turns).toBe(0);
    expect(few.memoriesUsed).toEqual(['m0']);
    const all = buildContext({ recentTurns: conversation(200), query: 'q' }, { turnBudget: Infinity });
    expect(all.overflow).toBe(false);
    expect(all.prompt).toContain('user: message 0 ');
  });
});
