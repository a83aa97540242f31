import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { extractJson, generateStructured } from '../../../src/core/pipeline/structured-output';
import type { ChatMessage, ChatModel, GenerateOptions } from '../../../src/core/ports';
import { MemoryError } from '../../../src/sdk/errors';

/** A ChatModel that answers from a script and records what it was asked. */
function scripted(answers: string[]) {
  const calls: { messages: ChatMessage[]; options: GenerateOptions | undefined }[] = [];
  const model: ChatModel = {
    id: 'scripted',
    generate: async (messages, options) => {
      calls.push({ messages, options });
      return answers[calls.length - 1] ?? '';
    },
  };
  return { model, calls };
}

const Facts = z.strictObject({ facts: z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(5)) });
const ask: ChatMessage[] = [{ role: 'user', content: 'extract' }];

describe('structured model output', () => {
  it('returns the validated answer and sends the schema as JSON Schema', async () => {
    const { model, calls } = scripted(['Sure! ```json\n{"facts": ["Lives in Lisbon"]}\n```']);
    expect(await generateStructured(model, ask, Facts)).toEqual({ facts: ['Lives in Lisbon'] });
    expect(calls[0]?.options?.jsonSchema).toMatchObject({ type: 'object', required: ['facts'] });
  });

  it('retries once with the validation error, then succeeds', async () => {
    const { model, calls } = scripted(['{"facts": "Lisbon"}', '{"facts": ["Lives in Lisbon"]}']);
    expect(await generateStructured(model, ask, Facts)).toEqual({ facts: ['Lives in Lisbon'] });
    expect(calls).toHaveLength(2);
    expect(calls[1]?.messages.at(-1)?.content).toMatch(/not valid: facts/);
  });

  it('gives up with LLM_OUTPUT_INVALID after the second bad answer', async () => {
    for (const bad of [
      ['no json here', 'still none'],
      ['{"facts": [], "extra": 1}', '{"facts": [], "extra": 2}'],
      ['{"facts": ["' + 'x'.repeat(300) + '"]}', '{"facts": [1]}'],
      ['{"facts": ["a"', '[1, 2'],
    ]) {
      const { model, calls } = scripted(bad);
      const error = await generateStructured(model, ask, Facts).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MemoryError);
      expect((error as MemoryError).code).toBe('LLM_OUTPUT_INVALID');
      expect(calls).toHaveLength(2);
    }
  });

  it('finds the first balanced JSON value even with braces inside strings', () => {
    expect(extractJson('answer: {"a": "x } y", "b": [1, {"c": 2}]} trailing')).toEqual({ a: 'x } y', b: [1, { c: 2 }] });
    expect(() => extractJson('nothing')).toThrow(SyntaxError);
  });
});
