/**
 * LoCoMo turn retrieval through the product's public client: a fresh in-process profile per
 * conversation, every turn added with `memories.addMany` (speaker and session date as metadata,
 * as a host app would), every question asked with `memories.search(question, { limit: 20 })`.
 */
import { createMemoryClient, type MemoryClientOptions } from '../../src/sdk/index';
import { DEFAULTS } from '../../src/sdk/options';
import { loadConversations, type LocomoConversation } from './dataset';
import { score, type Scored } from './metrics';
import { percentile } from '../data';

export interface LocomoSettings {
  /** `hybrid` = the product default with the embedder; `lexical` = no embedder; `reference-bm25` checks the loader and metrics. */
  mode: 'hybrid' | 'lexical' | 'reference-bm25';
  embedder?: string;
  modelsBaseUrl?: string;
  vectorIndex?: MemoryClientOptions['vectorIndex'];
  ranking?: MemoryClientOptions['ranking'];
}

type ReferenceBm25 = (docs: { id: string; text: string }[]) => (query: string) => { id: string; score: number }[];

export async function runLocomo(raw: unknown, settings: LocomoSettings, reference?: ReferenceBm25) {
  const conversations = loadConversations(raw);
  const scored: Scored[] = [];
  const queryTimes: number[] = [];
  let ingested = 0;
  let ingestMs = 0;
  for (const conversation of conversations) {
    const rank =
      settings.mode === 'reference-bm25' ? referenceRanker(conversation, reference!) : await clientRanker(conversation, settings);
    ingested += conversation.turns.length;
    ingestMs += rank.ingestMs;
    for (const question of conversation.questions) {
      const start = performance.now();
      const ranking = await rank.search(question.question);
      queryTimes.push(performance.now() - start);
      scored.push({ category: question.category, ranking, evidence: question.evidence });
    }
    await rank.close();
  }
  return {
    ...score(scored),
    ingestPerSecond: ingestMs > 0 ? ingested / (ingestMs / 1000) : null,
    queryP50Ms: percentile(queryTimes, 50),
    queryP95Ms: percentile(queryTimes, 95),
    model: settings.mode === 'hybrid' ? (settings.embedder ?? null) : null,
    index: settings.vectorIndex ?? DEFAULTS.vectorIndex,
    settings,
  };
}

function referenceRanker(conversation: LocomoConversation, bm25: ReferenceBm25) {
  const search = bm25(conversation.turns.map((turn) => ({ id: turn.diaId, text: turn.document })));
  return { ingestMs: 0, search: async (q: string) => search(q).map((hit) => hit.id), close: async () => undefined };
}

async function clientRanker(conversation: LocomoConversation, settings: LocomoSettings) {
  const client = await createMemoryClient({
    inWorker: false,
    profileId: `locomo-${conversation.id}-${Date.now()}`,
    embedder: settings.mode === 'hybrid' ? (settings.embedder ?? 'local/glove-sif-100d') : false,
    ...(settings.modelsBaseUrl ? { modelsBaseUrl: settings.modelsBaseUrl } : {}),
    ...(settings.vectorIndex ? { vectorIndex: settings.vectorIndex } : {}),
    ...(settings.ranking ? { ranking: settings.ranking } : {}),
  });
  const start = performance.now();
  const added = await client.memories.addMany(
    conversation.turns.map((turn) => ({
      text: turn.document,
      kind: 'turn' as const,
      metadata: { speaker: turn.speaker, session: turn.session, date: turn.date, diaId: turn.diaId },
    })),
  );
  const ingestMs = performance.now() - start;
  const diaOf = new Map(added.map((item) => [item.id, String(item.metadata.diaId)]));
  return {
    ingestMs,
    search: async (q: string) => (await client.memories.search(q, { limit: 20 })).map((r) => diaOf.get(r.item.id)!),
    close: () => client.close(),
  };
}
