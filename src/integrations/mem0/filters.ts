/**
 * mem0's metadata filters, the simple part: `{ key: value }` (equal), `{ key: { in: [...] } }`,
 * `{ key: { eq } }` and `{ key: { ne } }`, all of which must hold. The scope ids (`userId`,
 * `user_id`, …) may sit among them; they choose the profile (scopes.ts) and are skipped here.
 * Anything else is refused with `INVALID_ARGUMENT` rather than silently ignored.
 */
import { MemoryError } from '../../sdk/errors';
import type { MemoryMetadata } from '../../sdk/types';

type Value = string | number | boolean | null;
export type Mem0Filter = Value | { in: Value[] } | { eq: Value } | { ne: Value };
export type Mem0Filters = Record<string, Mem0Filter | string | undefined>;

const IDS = new Set(['userId', 'agentId', 'runId', 'user_id', 'agent_id', 'run_id']);

function holds(actual: MemoryMetadata[string] | undefined, filter: Mem0Filter, key: string): boolean {
  if (filter === null || typeof filter !== 'object') return actual === filter;
  const [operator, ...rest] = Object.keys(filter);
  if (rest.length === 0 && operator === 'in' && Array.isArray((filter as { in: unknown }).in)) {
    return (filter as { in: Value[] }).in.includes(actual as Value);
  }
  if (rest.length === 0 && operator === 'eq') return actual === (filter as { eq: Value }).eq;
  if (rest.length === 0 && operator === 'ne') return actual !== (filter as { ne: Value }).ne;
  throw new MemoryError('INVALID_ARGUMENT', `Unsupported filter on ${key}: use a value, { in }, { eq } or { ne }`);
}

/** Refuses a filter it cannot apply before anything is read (a search with no hits would hide it). */
export function checkFilters(filters: Mem0Filters | undefined): void {
  for (const [key, filter] of Object.entries(filters ?? {})) {
    if (!IDS.has(key) && filter !== undefined) holds(undefined, filter as Mem0Filter, key);
  }
}

export function matchesFilters(metadata: MemoryMetadata, filters: Mem0Filters | undefined): boolean {
  if (!filters) return true;
  return Object.entries(filters).every(
    ([key, filter]) => IDS.has(key) || filter === undefined || holds(metadata[key], filter as Mem0Filter, key),
  );
}
