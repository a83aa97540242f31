/**
 * `mnemeTools(client)`: Mneme's memory as AI SDK tools for an agentic model, so it can store what
 * the user asks it to keep (`remember`), look things up (`searchMemory`) and delete a memory
 * (`forget`, which waits for the user's approval through the AI SDK's tool approval). Inputs are
 * checked before anything runs; a model's malformed call gets the reason back and can try again.
 */
import { jsonSchema, tool, type Tool } from 'ai';
import type { MemoryClient } from '../../sdk/client';
import type { MemoryKind } from '../../sdk/types';

export interface RememberInput {
  text: string;
  kind?: 'note' | 'preference' | 'fact';
}
export interface SearchMemoryInput {
  query: string;
  limit?: number;
}
export interface ForgetInput {
  id: string;
}
export interface RecalledMemory {
  id: string;
  text: string;
  kind: MemoryKind;
  score: number;
}

export interface ForgetOutput {
  /** False when no memory had this id (deleted already, or never there). */
  forgotten: boolean;
  /** What the deleted memory said. */
  text?: string;
}

/** A type, not an interface, so that it fits the AI SDK's `ToolSet` (and can be spread into one). */
export type MnemeTools = {
  remember: Tool<RememberInput, { id: string; text: string }>;
  searchMemory: Tool<SearchMemoryInput, { memories: RecalledMemory[] }>;
  forget: Tool<ForgetInput, ForgetOutput>;
};

export interface MnemeToolsOptions {
  /** Most memories `searchMemory` returns; default 5. */
  searchLimit?: number;
  /** Whether `forget` asks the user first; default true. */
  forgetNeedsApproval?: boolean;
}

type Check<T> = (value: Record<string, unknown>) => T | string;

/** A JSON schema for the model and the same rules checked on what it sends. */
function input<T>(properties: Record<string, unknown>, required: string[], check: Check<T>) {
  return jsonSchema<T>(
    { type: 'object', properties: properties as never, required, additionalProperties: false },
    {
      validate(value) {
        const fail = (message: string) => ({ success: false as const, error: new TypeError(message) });
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('Expected an object');
        const extra = Object.keys(value).find((key) => !(key in properties));
        if (extra) return fail(`Unknown field ${extra}`);
        const checked = check(value as Record<string, unknown>);
        return typeof checked === 'string' ? fail(checked) : { success: true as const, value: checked };
      },
    },
  );
}

const KEPT_KINDS = ['note', 'preference', 'fact'] as const;
const text = (value: unknown, max: number) => typeof value === 'string' && value.trim().length > 0 && value.length <= max;

export function mnemeTools(client: MemoryClient, options: MnemeToolsOptions = {}): MnemeTools {
  const searchLimit = options.searchLimit ?? 5;
  return {
    remember: tool({
      description:
        'Store one thing about the user in long-term memory, in a short standalone sentence (e.g. "The user is allergic to peanuts"). Use it when the user asks you to remember something.',
      inputSchema: input<RememberInput>(
        {
          text: { type: 'string', description: 'The memory, as a standalone sentence.' },
          kind: { type: 'string', enum: [...KEPT_KINDS], description: 'fact (default), preference or note.' },
        },
        ['text'],
        ({ text: given, kind }) => {
          if (!text(given, 2000)) return 'text must be a non-empty string of at most 2000 characters';
          if (kind !== undefined && !KEPT_KINDS.includes(kind as RememberInput['kind'] & string))
            return `kind must be one of ${KEPT_KINDS.join(', ')}`;
          return { text: given as string, ...(kind ? { kind: kind as RememberInput['kind'] & string } : {}) };
        },
      ),
      async execute({ text: given, kind }) {
        const item = await client.memories.add(given.trim(), { kind: kind ?? 'fact', metadata: { source: 'ai-sdk-tool' } });
        return { id: item.id, text: item.text };
      },
    }),
    searchMemory: tool({
      description: "Search the user's long-term memory. Returns the most relevant memories with their ids, best first.",
      inputSchema: input<SearchMemoryInput>(
        {
          query: { type: 'string', description: 'What to look for, in a few words.' },
          limit: { type: 'integer', minimum: 1, maximum: 20, description: `How many memories; default ${searchLimit}.` },
        },
        ['query'],
        ({ query, limit }) => {
          if (!text(query, 1000)) return 'query must be a non-empty string of at most 1000 characters';
          if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 20))
            return 'limit must be an integer from 1 to 20';
          return { query: query as string, ...(limit !== undefined ? { limit: limit as number } : {}) };
        },
      ),
      async execute({ query, limit }) {
        const results = await client.memories.search(query, { limit: limit ?? searchLimit });
        return {
          memories: results.map(({ item, score }) => ({ id: item.id, text: item.text, kind: item.kind, score })),
        };
      },
    }),
    forget: tool({
      description:
        'Delete one memory, by the id searchMemory gave. Use it when the user asks you to forget something; the user is asked to approve.',
      inputSchema: input<ForgetInput>({ id: { type: 'string', description: 'The id of the memory.' } }, ['id'], ({ id }) =>
        text(id, 100) ? { id: id as string } : 'id must be the id of a memory',
      ),
      needsApproval: options.forgetNeedsApproval ?? true,
      async execute({ id }): Promise<ForgetOutput> {
        const item = await client.memories.get(id);
        if (!item) return { forgotten: false };
        await client.memories.delete(id);
        return { forgotten: true, text: item.text };
      },
    }),
  };
}
