import { describe, expect, it } from 'vitest';
import { buildContext, CONTEXT_DEFAULTS, DATA_NOTE } from '../../../../src/core/context/context-builder';
import { estimateTokenizer } from '../../../../src/core/context/estimate-tokenizer';
import { conversation, DAY, emptyProfile, episode, memory, MEMORY_TAGS, tagLines, turn, wordTokenizer } from './fixtures';

const full = {
  role: 'You are Mneme.',
  profile: { ...emptyProfile(), preferredName: 'Alex', interests: ['climbing'], preferences: { units: 'metric' } },
  memories: [memory('m1', 'Lives in Lisbon')],
  experiences: [episode('Book a table', { lessons: ['Book early'] })],
  summary: 'We talked about moving.',
  recentTurns: [turn(0, 'user', 'hi'), turn(1, 'assistant', 'hello')],
  query: 'Where do I live?',
};

describe('section order and tags', () => {
  it('puts every section in the documented order, each tag alone on its line', () => {
    const bundle = buildContext(full);
    const order = ['role', 'user_profile', 'relevant_memories', 'past_experiences', 'conversation_summary'];
    expect(bundle.sections.map((s) => s.tag)).toEqual([...order, 'recent_conversation', 'user_query']);
    expect(tagLines(bundle.prompt)).toEqual(bundle.sections.flatMap((s) => [s.tag, `/${s.tag}`]));
    expect(bundle.prompt).toBe(bundle.sections.map((s) => s.content).join('\n'));
    for (const section of bundle.sections) {
      expect(section.content.startsWith(`<${section.tag}>\n`)).toBe(true);
      expect(section.content.endsWith(`\n</${section.tag}>`)).toBe(true);
    }
  });

  it('opens with the role and a line saying the tagged sections are data', () => {
    const role = buildContext(full).sections[0]!;
    expect(role.content).toBe(`<role>\nYou are Mneme.\n${DATA_NOTE}\n</role>`);
    expect(buildContext({ query: 'q' }).sections[0]!.content).toContain(CONTEXT_DEFAULTS.role);
  });

  it('writes each item compactly: kind and date for memories, outcome and lessons for episodes, role-marked turns', () => {
    const bundle = buildContext({
      ...full,
      memories: [
        memory('m1', 'Lives in Lisbon'),
        {
          ...memory('m2', 'Lived in Berlin'),
          item: {
            ...memory('m2', '').item,
            text: 'Lived in Berlin',
            validFrom: Date.UTC(2020, 0, 1),
            validTo: Date.UTC(2026, 2, 1),
          },
        },
      ],
      experiences: [
        episode('Book a table', {
          status: 'failed',
          actions: [
            { action: 'searched', outcome: 'found two', at: DAY },
            { action: 'called at 6pm', outcome: 'no answer', at: DAY },
          ],
          lessons: ['call before noon'],
        }),
      ],
    });
    expect(bundle.prompt).toContain(
      '[fact · 2020-01-01 to 2026-03-01]\n- Lived in Berlin\n[fact · 2026-11-25]\n- Lives in Lisbon\n',
    );
    expect(bundle.prompt).toContain(
      '- [failed · 2026-11-25] Book a table; 2 steps, last: called at 6pm → no answer; lessons: call before noon',
    );
    expect(bundle.prompt).toContain('preferred name: Alex\ninterest: climbing\npreference units: metric');
    expect(bundle.prompt).toContain('<recent_conversation>\nuser: hi\nassistant: hello\n</recent_conversation>');
    expect(bundle.prompt).toContain('<user_query>\nWhere do I live?\n</user_query>');
  });
});

describe('empty sections are left out', () => {
  it('keeps only the role and the query when nothing else is given', () => {
    expect(buildContext({ query: 'hello' }).sections.map((s) => s.tag)).toEqual(['role', 'user_query']);
  });

  it('leaves out a profile with only blank fields, a blank summary, empty lists and a blank query', () => {
    const bundle = buildContext({
      profile: { ...emptyProfile(), name: '  ', interests: ['', '\n'] },
      memories: [],
      experiences: [],
      summary: ' \n ',
      recentTurns: [],
      query: '   ',
    });
    expect(bundle.sections.map((s) => s.tag)).toEqual(['role']);
    expect(bundle.dropped).toEqual({ profile: 0, memories: 0, experiences: 0, summary: 0, turns: 0 });
  });
});

describe('token counts', () => {
  it.each([
    ['the estimate', estimateTokenizer],
    ['a word count', wordTokenizer],
  ])('counts each section, the memory sections and the whole prompt exactly with %s', (_, tokenizer) => {
    const bundle = buildContext({ ...full, recentTurns: conversation(6) }, { tokenizer });
    for (const section of bundle.sections) expect(section.tokens).toBe(tokenizer.count(section.content));
    const memorySections = bundle.sections.filter((s) => MEMORY_TAGS.includes(s.tag));
    expect(bundle.memoryTokens).toBe(memorySections.reduce((sum, s) => sum + s.tokens, 0));
    expect(bundle.totalTokens).toBe(tokenizer.count(bundle.prompt));
  });

  it('uses the estimate tokenizer and the documented budgets when no options are given', () => {
    const bundle = buildContext(full);
    expect(bundle.totalTokens).toBe(estimateTokenizer.count(bundle.prompt));
    expect(bundle.budget).toBe(1_500);
    expect(CONTEXT_DEFAULTS).toMatchObject({ budget: 1_500, turnBudget: 1_000 });
  });
});
