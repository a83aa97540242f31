/**
 * Semantic facts: after an exchange the ChatModel extracts standalone facts; each one meets the
 * similar facts already stored and the model says how they relate:
 * - contradiction: the new fact replaces the old, which stays findable "as of" its time
 *   (`validTo` set, `supersededBy` linked, audited), never silently deleted;
 * - complementary: both are kept;
 * - clarification: the old fact is rewritten with the merged text (the old text is in the audit);
 * - identical: nothing is written. Exact duplicates are caught by normalised text before any model call.
 * The model sees stored facts under short integer ids, never their real ids; an id it invents fails validation.
 */
import * as z from 'zod/mini';
import type { MemoryItem, RememberReport } from '../../sdk/types';
import type { ChatMessage, ChatModel, Clock } from '../ports';
import { generateStructured } from '../pipeline/structured-output';
import {
  conversationBlock,
  dataBlock,
  EXTRACTION_DATA_RULE,
  EXTRACTION_TAGS,
  hasUserWords,
  USER_SOURCE_RULE,
} from '../pipeline/extraction-input';
import type { MemoryService } from './memory-service';

// Counted after trimming, as the text is stored trimmed: a blank "fact" passed the schema and then
// failed the write with INVALID_ARGUMENT, without the retry an invalid answer gets.
const factText = z.string().check(
  z.minLength(3),
  z.maxLength(300),
  z.refine((text) => text.trim().length >= 3, 'must hold at least 3 characters besides spaces'),
);
const extractionSchema = z.strictObject({
  facts: z
    .array(z.strictObject({ text: factText, importance: z.optional(z.number().check(z.gte(0), z.lte(1))) }))
    .check(z.maxLength(10)),
});

const relationSchema = (candidates: number) =>
  z.strictObject({
    relation: z.enum(['contradiction', 'complementary', 'clarification', 'identical']),
    candidate: z.int().check(z.gte(1), z.lte(candidates)),
    merged: z.optional(factText),
  });

/** How facts compare for exact duplicates: case, spacing and end punctuation do not matter. */
export function normaliseFact(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/^[\s"'.,;:!?-]+|[\s"'.,;:!?-]+$/g, '');
}

export const EXTRACTION_PROMPT =
  'Extract standalone facts about the user from the conversation in the <conversation> block: each one short, in the third person ("The user …"), ' +
  'true on its own without the conversation. Leave out greetings, questions and anything about the assistant. ' +
  `${USER_SOURCE_RULE} ` +
  'Answer with JSON: {"facts": [{"text": "...", "importance": 0.0-1.0}]}. No facts: {"facts": []}. ' +
  EXTRACTION_DATA_RULE;

export const RELATION_PROMPT =
  'A new fact about the user arrived (<new_fact>). Compare it with the numbered stored facts (<stored_facts>) and answer with JSON ' +
  '{"relation": "contradiction" | "complementary" | "clarification" | "identical", "candidate": <number>, "merged": "<text>"}: ' +
  'contradiction = the new fact replaces the stored one; complementary = both are true; clarification = the new fact ' +
  'refines the stored one (give the merged text); identical = nothing new. Use only the numbers shown. ' +
  EXTRACTION_DATA_RULE;

export class FactWriter {
  constructor(
    private readonly memory: MemoryService,
    private readonly chat: ChatModel,
    private readonly clock: Clock,
  ) {}

  async remember(
    messages: ChatMessage[],
    options: { sourceTurnId?: string; signal?: AbortSignal } = {},
  ): Promise<RememberReport> {
    const report: RememberReport = { added: [], superseded: [], merged: [], skipped: 0 };
    // Facts about the user come only from their own words (../pipeline/extraction-input.ts).
    if (!hasUserWords(messages)) return report;
    const { facts } = await generateStructured(
      this.chat,
      [
        { role: 'system', content: EXTRACTION_PROMPT },
        { role: 'user', content: conversationBlock(messages) },
      ],
      extractionSchema,
      options.signal ? { signal: options.signal } : {},
    );
    for (const fact of facts) await this.#place(fact, options, report);
    return report;
  }

  async #place(
    fact: { text: string; importance?: number | undefined },
    options: { sourceTurnId?: string; signal?: AbortSignal },
    report: RememberReport,
  ) {
    const known = new Set(this.#currentFacts().map((item) => normaliseFact(item.text)));
    if (known.has(normaliseFact(fact.text)) || !this.memory.allowed(fact.text)) {
      report.skipped++;
      return;
    }
    const candidates = (await this.memory.search(fact.text, { kinds: ['fact', 'preference'], limit: 3 })).map((r) => r.item);
    const add = () =>
      this.memory.add(
        {
          text: fact.text,
          kind: 'fact',
          ...(fact.importance !== undefined ? { importance: fact.importance } : {}),
          metadata: { source: 'extraction', ...(options.sourceTurnId ? { sourceTurnId: options.sourceTurnId } : {}) },
        },
        options.signal,
        'llm',
      );
    if (candidates.length === 0) {
      report.added.push((await add()).id);
      return;
    }
    // One line per stored fact, so a fact holding a line break cannot fake a number of its own.
    const numbered = candidates.map((item, i) => `${i + 1}. ${item.text.replace(/\s*[\r\n\u0085\u2028\u2029]+\s*/g, ' ')}`);
    const decision = await generateStructured(
      this.chat,
      [
        { role: 'system', content: RELATION_PROMPT },
        {
          role: 'user',
          content: `${dataBlock(EXTRACTION_TAGS.facts, numbered.join('\n'))}\n${dataBlock(EXTRACTION_TAGS.fact, fact.text)}`,
        },
      ],
      relationSchema(candidates.length),
      options.signal ? { signal: options.signal } : {},
    );
    const old = candidates[decision.candidate - 1]!;
    if (decision.relation === 'identical') report.skipped++;
    else if (decision.relation === 'complementary') report.added.push((await add()).id);
    else if (decision.relation === 'clarification') {
      await this.memory.update(old.id, { text: decision.merged ?? fact.text }, 'llm', `clarified by: ${fact.text}`, 'merge');
      report.merged.push(old.id);
    } else {
      const replacement = await add();
      await this.memory.update(
        old.id,
        { validTo: this.clock.now(), metadata: { ...old.metadata, supersededBy: replacement.id } },
        'llm',
        `contradicted by: ${fact.text}`,
        'supersede',
      );
      report.added.push(replacement.id);
      report.superseded.push({ id: old.id, by: replacement.id });
    }
  }

  #currentFacts(): MemoryItem[] {
    const now = this.clock.now();
    return this.memory.all().filter((item) => item.kind === 'fact' && (item.validTo === undefined || item.validTo > now));
  }
}
