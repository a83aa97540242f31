/**
 * The kinds of memory job and who can do them, apart from their handlers (memory-jobs.ts) so that
 * queueing a job does not load the extraction prompts and their schemas (zod).
 */
import type { ChatModel } from '../ports';

export const MEMORY_JOBS = {
  extract: 'memory.extract',
  profile: 'profile.update',
  summary: 'session.summary',
} as const;

/** Whether a chat model can do the memory work: it must answer in a given JSON schema. */
export const doesMemoryWork = (model: ChatModel | undefined): model is ChatModel =>
  model !== undefined && model.structuredOutput !== false;
