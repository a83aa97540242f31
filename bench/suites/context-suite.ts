/**
 * Context suite: query → assembled context through the public client, with the local word-vector
 * embedder (so the query embedding is included), at 1k and 10k memories: p50/p95 of
 * `context.build`, the tokens of the memory sections, and what a chat turn costs beyond the
 * context and the reply (storing the two turns and queueing the memory work; the work itself runs
 * after the reply). Target: p95 ≤ 25 ms at 10k; ≤ 1,500 memory tokens.
 */
import { createMemoryClient } from '../../src/sdk/index';
import type { ChatModel } from '../../src/core/ports';
import { percentile, sentences } from '../data';

export interface ContextResult {
  memories: number;
  queries: number;
  buildP50Ms: number;
  buildP95Ms: number;
  memoryTokensP50: number;
  memoryTokensMax: number;
  /** chat.send minus (context.build + the model's own time), p50: the reply's share of memory writes. */
  sendOverheadP50Ms: number;
}

/** Answers at once: the suite measures everything around the model. */
const instantModel: ChatModel = {
  id: 'bench/instant',
  generate: async (messages) => {
    const system = messages[0]?.content ?? '';
    if (system.startsWith('Extract')) return '{"facts": []}';
    if (system.includes('structured profile')) return '{"patches": []}';
    if (system.startsWith('Update the running summary')) return '{"summary": "A chat."}';
    return 'Noted.';
  },
};

export async function runContextSuite(n: number, queries: number): Promise<ContextResult> {
  const client = await createMemoryClient({
    inWorker: false,
    profileId: `bench-context-${n}-${Date.now()}`,
    embedder: 'local/glove-sif-100d',
    modelsBaseUrl: '/models/',
    chatModel: instantModel,
  });
  const texts = sentences(n, 21);
  for (let i = 0; i < n; i += 1000) await client.memories.addMany(texts.slice(i, i + 1000).map((text) => ({ text })));
  // Questions of a chat's length: a few content words (the memories are 14–24 words each).
  const questions = sentences(queries, 22).map(
    (text) => `What do I know about ${text.toLowerCase().split(' ').slice(0, 5).join(' ')}?`,
  );
  await client.context.build('warm-up');
  const buildTimes: number[] = [];
  const tokens: number[] = [];
  for (const question of questions) {
    const start = performance.now();
    const bundle = await client.context.build(question);
    buildTimes.push(performance.now() - start);
    tokens.push(bundle.memoryTokens);
  }
  const session = await client.sessions.create();
  const overheads: number[] = [];
  for (const question of questions.slice(0, Math.min(20, questions.length))) {
    const buildStart = performance.now();
    await client.context.build(question, { sessionId: session.id });
    const buildMs = performance.now() - buildStart;
    const start = performance.now();
    await client.chat.send(session.id, question);
    overheads.push(Math.max(0, performance.now() - start - buildMs));
  }
  await client.close();
  return {
    memories: n,
    queries,
    buildP50Ms: percentile(buildTimes, 50),
    buildP95Ms: percentile(buildTimes, 95),
    memoryTokensP50: percentile(tokens, 50),
    memoryTokensMax: Math.max(...tokens),
    sendOverheadP50Ms: percentile(overheads, 50),
  };
}
