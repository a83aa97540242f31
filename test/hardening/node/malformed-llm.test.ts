/**
 * Hardening: a chat model that answers badly. A scripted ChatModel answers the memory prompts
 * (fact extraction, fact relations, profile patches, session summaries) with broken JSON, wrong
 * types, extra fields, invented ids, huge strings, prompt-like prose and mixtures of these, drawn
 * from the seeded generator. Each trial drives the public in-process client, either through
 * `memories.remember` / `sessions.summarise` or through `chat.send` and the outbox jobs, and checks:
 * - a bad first answer is retried exactly once (the model is asked exactly twice);
 * - a bad retry ends in `LLM_OUTPUT_INVALID` (thrown, or on the failed outbox job) and writes
 *   nothing: memories, profile, audit trail and summaries are as before;
 * - a valid retry writes only valid records (text within limits, known kinds and fields, no keys
 *   beyond the schema), and no record anywhere carries an id the model invented.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryClient, MemoryError } from '../../../src/sdk/index';
import type { ChatMessage, ChatModel } from '../../../src/sdk/index';
import { Random, Tally, trials } from '../harness';
import { badAnswer, sentence, validAnswer, ScriptedModel, type Answer, type Prompt } from './malformed-llm-answers';
import { changes, checkRecords, snapshot, unsaid } from './malformed-llm-records';

const invalid = (error: unknown) => error instanceof MemoryError && error.code === 'LLM_OUTPUT_INVALID';
const describeError = (error: unknown) =>
  error instanceof Error ? `${error.name}(${(error as MemoryError).code ?? ''}): ${error.message}` : String(error);

// ---------------------------------------------------------------------------------------------
// Trials

let counter = 0;
const open = (chatModel?: ChatModel) =>
  createMemoryClient({
    inWorker: false,
    profileId: `malformed${Date.now()}x${counter++}`,
    embedder: false,
    ...(chatModel ? { chatModel } : {}),
    outbox: { maxAttempts: 1 },
  });

const exchange = (r: Random): ChatMessage[] => [
  { role: 'user', content: sentence(r, 5, 80) },
  { role: 'assistant', content: 'Noted.' },
];

interface Plan {
  target: Exclude<Prompt, 'reply'>;
  retryValid: boolean;
  first: Answer;
  second: Answer;
  invented: string[];
  /** Texts the valid answers held: the only new texts a record may carry. */
  said: Set<string>;
}

function plan(r: Random, target: Plan['target']): Plan {
  const invented: string[] = [];
  const said = new Set<string>();
  const retryValid = r.chance(0.5);
  const first = badAnswer(r, target, invented);
  const second = retryValid ? validAnswer(r, target, said) : badAnswer(r, target, invented);
  return { target, retryValid, first, second, invented, said };
}

/** The target prompt was asked exactly twice, and every other prompt answered on its first try. */
function callProblems(model: ScriptedModel, target: Prompt): string[] {
  return model.calls[target] === 2 ? [] : [`${target} asked ${model.calls[target]} times, not twice`];
}

/** `memories.remember` (extract, relate) or `sessions.summarise` (summary), called directly. */
async function directTrial(r: Random, target: Plan['target']): Promise<string[]> {
  const model = new ScriptedModel();
  const client = await open(model);
  try {
    const p = plan(r, target);
    const sessions: string[] = [];
    const turnIds = new Set<string>(['turn-source']);
    if (target === 'relate') {
      // One stored fact that shares words with every extracted one, so the relation prompt runs.
      await client.memories.add('The user lives in Lisbon and likes jazz', { kind: 'fact' });
      const fact = `The user ${sentence(r, 5, 60)} Lisbon jazz`;
      p.said.add(fact);
      model.reset({ extract: [JSON.stringify({ facts: [{ text: fact }] })], relate: [p.first, p.second] });
    } else if (target === 'summary') {
      const session = await client.sessions.create();
      sessions.push(session.id);
      await client.chat.useModel(null);
      for (let i = 0; i < r.int(2, 6); i++) {
        turnIds.add(
          (await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: sentence(r, 5, 60) })).id,
        );
      }
      await client.outbox.drain();
      await client.chat.useModel(model);
      model.reset({ summary: [p.first, p.second] });
    } else {
      model.reset({ extract: [p.first, p.second] });
    }
    const before = await snapshot(client, sessions);
    let outcome: unknown;
    try {
      outcome =
        target === 'summary'
          ? await client.sessions.summarise(sessions[0]!, { threshold: 1, batch: r.int(1, 2) })
          : await client.memories.remember(exchange(r), { sourceTurnId: 'turn-source' });
    } catch (error) {
      outcome = error;
    }
    const after = await snapshot(client, sessions);
    const problems = callProblems(model, target);
    if (p.retryValid) {
      if (outcome instanceof Error) problems.push(`a valid retry still failed: ${describeError(outcome)}`);
      problems.push(...unsaid(before, after, p.said, []));
    } else {
      if (!invalid(outcome))
        problems.push(`expected LLM_OUTPUT_INVALID, got ${outcome instanceof Error ? describeError(outcome) : 'success'}`);
      problems.push(...changes(before, after));
    }
    problems.push(...checkRecords(after, turnIds, p.invented));
    return problems;
  } finally {
    await client.close();
  }
}

/** `chat.send`, then the outbox runs memory.extract, profile.update and (with a full window) session.summary. */
async function chatTrial(r: Random, target: Exclude<Plan['target'], 'relate'>): Promise<string[]> {
  const model = new ScriptedModel();
  const client = await open();
  try {
    const p = plan(r, target);
    const session = await client.sessions.create();
    const turnIds = new Set<string>();
    if (target === 'summary') {
      // A full window (20 turns) before the model arrives, so this exchange makes the summary job roll.
      for (let i = 0; i < 20; i++) {
        const role = i % 2 ? 'assistant' : 'user';
        turnIds.add((await client.sessions.append(session.id, { role, content: sentence(r, 5, 40) })).id);
      }
    }
    await client.outbox.drain();
    await client.chat.useModel(model);
    model.reset({ [target]: [p.first, p.second], reply: [validAnswer(r, 'reply', p.said)] });
    const before = await snapshot(client, [session.id]);
    const reply = await client.chat.send(session.id, sentence(r, 5, 80));
    await client.outbox.drain();
    turnIds.add(reply.userTurn.id);
    if (reply.reply) turnIds.add(reply.reply.id);
    const after = await snapshot(client, [session.id]);
    const jobs = await client.outbox.list();
    const kind = { extract: 'memory.extract', profile: 'profile.update', summary: 'session.summary' }[target];
    const mine = jobs.filter((job) => reply.jobs.includes(job.id));
    const job = mine.find((j) => j.kind === kind);
    const problems = callProblems(model, target);
    if (!job) problems.push(`no ${kind} job`);
    else if (p.retryValid) {
      if (job.state !== 'done') problems.push(`${kind} ended ${job.state}: ${job.lastError?.code} ${job.lastError?.message}`);
      problems.push(...unsaid(before, after, p.said, [reply.userTurn.content]));
    } else {
      if (job.state !== 'failed' || job.lastError?.code !== 'LLM_OUTPUT_INVALID')
        problems.push(`${kind} ended ${job.state} with ${job.lastError?.code ?? 'no error'}`);
      problems.push(...changes(before, after));
    }
    for (const other of mine.filter((j) => j !== job && j.state !== 'done'))
      problems.push(`${other.kind} ended ${other.state}: ${other.lastError?.message}`);
    problems.push(...checkRecords(after, turnIds, p.invented));
    return problems;
  } finally {
    await client.close();
  }
}

describe('hardening: malformed model output', () => {
  it('retries once, then fails visibly and writes nothing; a valid retry writes only valid records', async () => {
    const tally = new Tally('malformed-llm');
    const r = tally.random;
    const n = trials(1_000, 100);
    for (let i = 0; i < n; i++) {
      const path = r.pick(['remember', 'remember', 'relate', 'summarise', 'chat', 'chat', 'chat'] as const);
      if (path === 'chat') {
        const target = r.pick(['extract', 'profile', 'summary'] as const);
        await tally.trial(`chat.send → ${target}`, () => chatTrial(r, target));
      } else {
        const target = path === 'remember' ? 'extract' : path === 'relate' ? 'relate' : 'summary';
        await tally.trial(`${path} → ${target}`, () => directTrial(r, target));
      }
    }
    tally.report();
    expect(tally.trials).toBe(n);
  }, 600_000);
});
