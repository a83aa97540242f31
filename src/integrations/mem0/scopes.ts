/**
 * Where a mem0 memory lives. Each `userId` has a Mneme profile of its own; a memory without a
 * user belongs to its `agentId`'s profile, and one with neither to its `runId`'s. The other ids
 * given with it (an agent or run under a user, a run under an agent) are kept in the memory's
 * metadata and narrow reads within that profile. Two users, or a user and an agent alone, never
 * share a profile. Profile ids are `mem0-<user|agent|run>-<hash of the id>` (a profile id allows
 * only a few characters); the profile's name is the id as given, so the app's list shows it.
 */
import { MemoryError } from '../../sdk/errors';
import type { MemoryMetadata } from '../../sdk/types';

/** The ids of a mem0 call, in mem0's camelCase or snake_case. */
export interface ScopeIds {
  userId?: string;
  agentId?: string;
  runId?: string;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

export interface Scope {
  userId?: string;
  agentId?: string;
  runId?: string;
}

/** Metadata keys that hold the ids inside a profile (the names mem0 stores them under). */
export const SCOPE_KEYS = { userId: 'user_id', agentId: 'agent_id', runId: 'run_id' } as const;
export const PROFILE_PREFIX = 'mem0-';

function id(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new MemoryError('INVALID_ARGUMENT', `${name} must be a non-empty string`);
  return value;
}

/** The scope of a call: its ids, from the options or their `filters`. `required`: one of them must be there. */
export function scopeOf(options: (ScopeIds & { filters?: Record<string, unknown> }) | undefined, required: boolean): Scope {
  const given = options ?? {};
  const filters = (given.filters ?? {}) as ScopeIds;
  const scope: Scope = {};
  for (const [camel, snake] of Object.entries(SCOPE_KEYS) as [keyof Scope, (typeof SCOPE_KEYS)[keyof Scope]][]) {
    const value = id(given[camel] ?? given[snake] ?? filters[camel] ?? filters[snake], camel);
    if (value !== undefined) scope[camel] = value;
  }
  if (required && !scope.userId && !scope.agentId && !scope.runId) {
    throw new MemoryError('INVALID_ARGUMENT', 'One of userId, agentId or runId is required');
  }
  return scope;
}

/** Which id owns the profile, and its kind. */
export function ownerOf(scope: Scope): { kind: 'user' | 'agent' | 'run'; id: string } {
  if (scope.userId) return { kind: 'user', id: scope.userId };
  if (scope.agentId) return { kind: 'agent', id: scope.agentId };
  return { kind: 'run', id: scope.runId! };
}

/** `mem0-user-<40 hex digits of SHA-256(id)>`: the same id always opens the same profile. */
export async function profileIdOf(scope: Scope): Promise<string> {
  const owner = ownerOf(scope);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(owner.id));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${PROFILE_PREFIX}${owner.kind}-${hex.slice(0, 40)}`;
}

/** The ids a memory carries in its metadata: all but the profile's own owner. */
export function scopeMetadata(scope: Scope): MemoryMetadata {
  const metadata: MemoryMetadata = {};
  for (const [camel, key] of Object.entries(SCOPE_KEYS) as [keyof Scope, string][]) {
    const value = scope[camel];
    if (value !== undefined) metadata[key] = value;
  }
  return metadata;
}

/** Whether a memory's metadata fits the narrowing ids of `scope` (the owner's is the profile itself). */
export function inScope(metadata: MemoryMetadata, scope: Scope): boolean {
  const owner = ownerOf(scope).kind;
  return (Object.entries(SCOPE_KEYS) as [keyof Scope, string][]).every(
    ([camel, key]) => scope[camel] === undefined || `${owner}Id` === camel || metadata[key] === scope[camel],
  );
}
