/**
 * Model output is untrusted. `generateStructured` asks the ChatModel for JSON that follows a
 * schema (the engine may constrain decoding with the same schema as JSON Schema), validates the
 * answer, retries once with the validation error, and then gives up with `LLM_OUTPUT_INVALID`.
 * Nothing is written by the caller unless this returns.
 */
import * as z from 'zod/mini';
import { MemoryError, throwIfAborted } from '../../sdk/errors';
import type { ChatMessage, ChatModel } from '../ports';

export interface StructuredOptions {
  signal?: AbortSignal;
  /** Longest answer accepted, in characters (a runaway model is cut off, not parsed). Default 8,000. */
  maxChars?: number;
  maxTokens?: number;
}

/** The first JSON object or array in a model answer (models like to wrap JSON in prose or fences). */
export function extractJson(answer: string): unknown {
  const start = answer.search(/[[{]/);
  if (start < 0) throw new SyntaxError('the answer contains no JSON object');
  const open = answer[start]!;
  const close = open === '{' ? '}' : ']';
  let depth = 0;
  let inString = false;
  for (let i = start; i < answer.length; i++) {
    const ch = answer[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === open) depth++;
    else if (ch === close && --depth === 0) return JSON.parse(answer.slice(start, i + 1));
  }
  throw new SyntaxError('the JSON in the answer is not closed');
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export async function generateStructured<T extends z.ZodMiniType>(
  model: ChatModel,
  messages: ChatMessage[],
  schema: T,
  options: StructuredOptions = {},
): Promise<z.infer<T>> {
  const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
  const maxChars = options.maxChars ?? 8_000;
  let conversation = messages;
  let problem = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    throwIfAborted(options.signal);
    const answer = await model.generate(conversation, {
      jsonSchema,
      temperature: 0,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
    });
    try {
      if (answer.length > maxChars) throw new RangeError(`the answer is longer than ${maxChars} characters`);
      const parsed = z.safeParse(schema, extractJson(answer));
      if (parsed.success) return parsed.data;
      problem = describeIssues(parsed.error);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    conversation = [
      ...messages,
      { role: 'assistant', content: answer.slice(0, 2_000) },
      { role: 'user', content: `That answer was not valid: ${problem}. Answer again with only JSON that follows the schema.` },
    ];
  }
  throw new MemoryError('LLM_OUTPUT_INVALID', `The model's answer did not follow the schema twice: ${problem}`, {
    details: { problem },
  });
}
