/**
 * Sliding window + summary: when a session holds more than `threshold` working turns (default
 * 20), the oldest `batch` (default 10) are summarised by the ChatModel into the session's rolling
 * summary (the previous summary is folded in, never lost), and those raw turns move to the
 * archive (they stay readable with `includeArchived`), in one transaction.
 */
import * as z from 'zod/mini';
import type { SessionSummary } from '../../sdk/types';
import type { ChatModel, Clock, ConversationStore } from '../ports';
import { generateStructured } from '../pipeline/structured-output';
import { conversationBlock, dataBlock, EXTRACTION_DATA_RULE, EXTRACTION_TAGS } from '../pipeline/extraction-input';
import { stripInvisible } from '../invisible';

export const SUMMARY_DEFAULTS = { threshold: 20, batch: 10, maxChars: 2_000 } as const;

export const SUMMARY_PROMPT =
  'Update the running summary of a conversation between a user and an assistant. Keep every fact, ' +
  'decision and open question from the previous summary and add what the new turns bring; write it ' +
  'in the third person, at most 250 words. The previous summary is in the <previous_summary> block, the new turns in the ' +
  "<conversation> block. Say what the assistant said as the assistant's words, never as a fact about the user. " +
  `Answer with JSON: {"summary": "..."}. ${EXTRACTION_DATA_RULE}`;

// A blank summary is invalid (it was stored as an empty text, and the turns it "covered" archived).
const summarySchema = z.strictObject({
  summary: z.string().check(
    z.minLength(1),
    z.maxLength(SUMMARY_DEFAULTS.maxChars),
    z.refine((text) => stripInvisible(text).trim().length > 0, 'must not be blank'),
  ),
});

export interface SummaryOptions {
  threshold?: number;
  batch?: number;
  signal?: AbortSignal;
}

/** Summarises the oldest turns when the window is full; returns the new summary, or undefined when there was nothing to do. */
export async function rollSummary(
  store: ConversationStore,
  chat: ChatModel,
  clock: Clock,
  sessionId: string,
  options: SummaryOptions = {},
): Promise<SessionSummary | undefined> {
  const threshold = options.threshold ?? SUMMARY_DEFAULTS.threshold;
  const batch = Math.max(1, options.batch ?? SUMMARY_DEFAULTS.batch);
  const turns = await store.turns(sessionId, { includeArchived: false });
  if (turns.length <= threshold) return undefined;
  const oldest = turns.slice(0, batch);
  const previous = await store.summary(sessionId);
  const { summary } = await generateStructured(
    chat,
    [
      { role: 'system', content: SUMMARY_PROMPT },
      {
        role: 'user',
        content: `${dataBlock(EXTRACTION_TAGS.summary, previous?.text ?? '(none yet)')}\n${conversationBlock(oldest)}`,
      },
    ],
    summarySchema,
    options.signal ? { signal: options.signal } : {},
  );
  const next: SessionSummary = {
    sessionId,
    // Model output enters memory: no invisible format characters in it either.
    text: stripInvisible(summary).trim(),
    turnsCovered: (previous?.turnsCovered ?? 0) + oldest.length,
    updatedAt: clock.now(),
  };
  await store.putSummary(
    next,
    oldest.map((turn) => turn.id),
  );
  return next;
}
