/**
 * Hardening: memory text that tries to be instructions. Each trial stores payloads built from the
 * seeded generator (fragments of "ignore previous instructions", fake closing and opening tags,
 * CDATA, entity tricks, look-alike brackets (the whole Unicode family), role markers such as
 * `### System:`, `<|im_start|>system`, `[INST]`, `assistant:`, invisible characters (tag
 * characters spelling a tag, bidi controls, zero-width characters) and odd line breaks) in every layer the context is
 * built from: facts and notes, profile fields, episodes (task, actions, lessons), the session
 * summary (written by a scripted model) and the session's turns. It then builds the context with
 * `context.build` and captures the messages `chat.send` gives the model, and walks both:
 * - the system message holds the role section alone: memory never goes in the system role;
 * - every line is either a known tag on its own or the body of the one section that is open;
 *   each section opens and closes exactly once, in the builder's order, and matches the bundle;
 * - no body holds `<`, `>`, a look-alike bracket, an invisible format character or a bare `&` that
 *   is not one of the escaper's entities;
 * - no body line starts like a role (`system:`, `### Assistant`, `[INST]`, …) unless it is one of
 *   the builder's own turn markers; a turn's or the summary's later lines are indented;
 * - each payload (traced by its marker word) shows up in its own layer's section and nowhere else.
 * The second half (../prompt-extraction.ts) sends hostile messages and replies through the memory
 * work (facts, profile, summary) with a model that obeys any instruction outside a data block.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryClient } from '../../../src/sdk/index';
import type { ChatMessage, ChatModel } from '../../../src/sdk/index';
import { Random, Tally, trials } from '../harness';
import { bundleProblems, placement, payload, walk } from '../prompt-walk';
import { extractionTrial } from '../prompt-extraction';

// ---------------------------------------------------------------------------------------------
// Trials

class ScriptedModel implements ChatModel {
  readonly id = 'hardening/injection';
  summary = 'They talked.';
  systemPrompts: ChatMessage[][] = [];
  async generate(messages: ChatMessage[]): Promise<string> {
    const system = messages[0]?.content ?? '';
    if (system.startsWith('Extract standalone facts')) return '{"facts": []}';
    if (system.includes('structured profile')) return '{"patches": []}';
    if (system.startsWith('Update the running summary')) return JSON.stringify({ summary: this.summary });
    if (system.startsWith('A new fact')) return '{"relation": "complementary", "candidate": 1}';
    this.systemPrompts.push(messages);
    return 'I will keep that in mind.';
  }
}

let counter = 0;

async function injectionTrial(r: Random, index: number): Promise<string[]> {
  const model = new ScriptedModel();
  const client = await createMemoryClient({
    inWorker: false,
    profileId: `injection${Date.now()}x${counter++}`,
    embedder: false,
    chatModel: model,
  });
  const topic = 'kiwi';
  let next = 0;
  const markers: { marker: string; tag: string; required: boolean }[] = [];
  const make = (tag: string, maxLength: number, required = true) => {
    const marker = `zq${index}m${next++}q`;
    markers.push({ marker, tag, required });
    return payload(r, marker, topic, maxLength);
  };
  try {
    // Facts and notes.
    for (let i = 0; i < r.int(1, 3); i++) {
      await client.memories.add(make('relevant_memories', 600), { kind: r.pick(['fact', 'note'] as const), importance: 1 });
    }
    // The profile (the user's own edits: any text up to 300 characters).
    await client.profile.update([
      { op: 'set', field: 'name', value: make('user_profile', 300) },
      { op: 'add', field: r.pick(['interests', 'goals', 'facts'] as const), value: make('user_profile', 300) },
      { op: 'set', field: 'preferences', key: r.pick(['tone', 'units', 'diet type']), value: make('user_profile', 300) },
    ]);
    // An episode: task, actions and lessons.
    const episode = await client.episodes.startTask(make('past_experiences', 300));
    // Only the last action and its outcome are shown.
    const actions = r.int(1, 3);
    for (let i = 0; i < actions; i++) {
      const last = i === actions - 1;
      await client.episodes.recordAction(episode.id, make('past_experiences', 200, last), make('past_experiences', 200, last));
    }
    await client.episodes.completeTask(episode.id, r.chance(0.5), [make('past_experiences', 200), make('past_experiences', 200)]);
    // The session: turns (the oldest is folded into a summary the model writes) and the summary.
    const session = await client.sessions.create();
    model.summary = make('conversation_summary', 1_500);
    // The first turn is summarised away (it leaves the recent turns).
    const first = `${topic} first turn zq${index}old`;
    await client.sessions.append(session.id, { role: 'user', content: first });
    for (let i = 0; i < r.int(2, 4); i++) {
      await client.sessions.append(session.id, { role: i % 2 ? 'user' : 'assistant', content: make('recent_conversation', 300) });
    }
    await client.outbox.drain();
    await client.sessions.summarise(session.id, { threshold: 1, batch: 1 });

    const query = `what about ${topic}? ${make('user_query', 200)}`;
    const bundle = await client.context.build(query, { sessionId: session.id, turnBudget: 4_000, budget: 4_000 });
    const problems = bundleProblems(bundle);
    const built = walk(
      bundle.prompt,
      bundle.sections.map((s) => s.tag),
    );
    problems.push(...built.problems.map((p) => `context.build: ${p}`));
    problems.push(...placement(built.bodies, markers).map((p) => `context.build: ${p}`));
    if (!bundle.sections.some((s) => s.tag === 'conversation_summary')) problems.push('no summary section');

    // chat.send: the system message holds the role alone (instructions); memory, the turns and the
    // message being answered go in the user message, in the same escaped sections as the bundle's.
    const ask = `${topic} again ${make('user_query', 200, false)}`;
    await client.chat.send(session.id, ask, { maxTokens: 64 });
    const messages = model.systemPrompts.at(-1);
    if (!messages) problems.push('chat.send never asked the model');
    else {
      if (messages.map((m) => m.role).join(',') !== 'system,user')
        problems.push(`chat.send roles ${messages.map((m) => m.role).join(',')}`);
      const system = walk(messages[0]!.content, ['role']);
      problems.push(...system.problems.map((p) => `chat.send system message: ${p}`));
      const user = messages[1]?.content ?? '';
      const tags = [...user.matchAll(/^<([a-z_]+)>$/gm)].map((m) => m[1]!);
      const sent = walk(user, tags);
      problems.push(...sent.problems.map((p) => `chat.send: ${p}`));
      if (tags.at(-1) !== 'user_query') problems.push('chat.send: the message being answered is not the last section');
      const query = sent.bodies.get('user_query')?.join('\n') ?? '';
      if (!query.startsWith(`${topic} again`) || !query.includes(markers.at(-1)!.marker))
        problems.push('chat.send: the user_query section is not the message sent');
      problems.push(
        ...placement(
          sent.bodies,
          markers.filter((m) => m.tag !== 'user_query').map((m) => ({ ...m, required: false })),
        ).map((p) => `chat.send: ${p}`),
      );
    }
    return problems;
  } finally {
    await client.close();
  }
}

describe('hardening: prompt injection through memory', () => {
  it('keeps every payload inside its own escaped section, in the built context and in the prompt chat.send sends', async () => {
    const tally = new Tally('prompt-injection', 7);
    const n = trials(200, 50);
    for (let i = 0; i < n; i++) await tally.trial(`trial ${i}`, () => injectionTrial(tally.random, i));
    tally.report();
    expect(tally.trials).toBe(n);
  }, 600_000);
});

describe('hardening: prompt injection through the memory work', () => {
  it('stores no injected fact, profile entry or summary, and keeps hostile turns inside their escaped sections later', async () => {
    const tally = new Tally('prompt-injection-extraction', 21);
    const n = trials(200, 40);
    for (let i = 0; i < n; i++) await tally.trial(`trial ${i}`, () => extractionTrial(tally.randomFor(i), i));
    tally.report();
    expect(tally.trials).toBe(n);
  }, 600_000);
});
