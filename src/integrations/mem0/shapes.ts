/**
 * mem0's shapes, made from Mneme's records: a memory as `{ id, memory, score?, metadata, createdAt,
 * updatedAt, userId?, agentId?, runId? }` (dates as ISO strings, the scope ids lifted out of the
 * metadata), and a memory's history as mem0's rows of ADD / UPDATE / DELETE.
 */
import type { AuditEntry, MemoryItem, MemoryMetadata } from '../../sdk/types';
import { SCOPE_KEYS } from './scopes';

export type MemoryEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';

export interface Mem0Memory {
  id: string;
  /** The memory's text. */
  memory: string;
  /** Search only: higher is more relevant (comparable within one search). */
  score?: number;
  /** The host's metadata; on results of `add`, `event` says what happened to the memory. */
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  userId?: string;
  agentId?: string;
  runId?: string;
}

/** What `add` returns for each memory it changed. */
export interface Mem0Event {
  id: string;
  memory: string;
  event: MemoryEvent;
  /** For an UPDATE, what the memory said before. */
  previousMemory?: string;
  metadata: Record<string, unknown> & { event: MemoryEvent };
}

export interface Mem0Results<T> {
  results: T[];
}

/** One row of `history(id)`, oldest first. */
export interface Mem0HistoryEntry {
  id: string;
  memoryId: string;
  previousValue: string | null;
  newValue: string | null;
  action: Exclude<MemoryEvent, 'NONE'>;
  createdAt: string;
  /** Set on the row of an UPDATE or DELETE (mem0 keeps both dates). */
  updatedAt: string | null;
  isDeleted: boolean;
}

const iso = (at: number) => new Date(at).toISOString();

export function toMem0(item: MemoryItem, score?: number): Mem0Memory {
  const metadata: Record<string, unknown> = { ...item.metadata };
  const ids: Partial<Record<'userId' | 'agentId' | 'runId', string>> = {};
  for (const [camel, key] of Object.entries(SCOPE_KEYS) as ['userId' | 'agentId' | 'runId', string][]) {
    if (typeof metadata[key] === 'string') ids[camel] = metadata[key] as string;
    delete metadata[key];
  }
  return {
    id: item.id,
    memory: item.text,
    ...(score !== undefined ? { score } : {}),
    metadata,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    ...ids,
  };
}

export function eventOf(
  id: string,
  memory: string,
  event: MemoryEvent,
  previousMemory?: string,
  metadata: MemoryMetadata = {},
): Mem0Event {
  return {
    id,
    memory,
    event,
    ...(previousMemory !== undefined ? { previousMemory } : {}),
    metadata: { ...metadata, event },
  };
}

const textOf = (value: unknown): string | null =>
  typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string'
    ? (value as { text: string }).text
    : null;

/**
 * Mneme's audit trail of one memory as mem0's history. A creation records no text in the trail,
 * so its new value is what the memory said before its first change (or says now).
 */
export function historyOf(entries: AuditEntry[], current: MemoryItem | undefined): Mem0HistoryEntry[] {
  // mem0's history is of the text: a change of metadata or pin alone is not a row.
  const ordered = [...entries]
    .filter(
      (entry) =>
        entry.redacted || !['update', 'pin', 'unpin'].includes(entry.action) || textOf(entry.before) !== textOf(entry.after),
    )
    .sort((a, b) => a.at - b.at);
  return ordered.map((entry, index) => {
    const action = entry.action === 'create' ? 'ADD' : entry.action === 'delete' ? 'DELETE' : 'UPDATE';
    let previousValue = textOf(entry.before);
    let newValue = textOf(entry.after);
    if (action === 'ADD') {
      const next = ordered.slice(index + 1).find((later) => textOf(later.before) !== null);
      newValue = next ? textOf(next.before) : (current?.text ?? null);
      previousValue = null;
    }
    if (action === 'DELETE') newValue = null;
    return {
      id: `${entry.entityId}:${index}`,
      memoryId: entry.entityId,
      previousValue,
      newValue,
      action,
      createdAt: iso(action === 'ADD' ? entry.at : (ordered[0]?.at ?? entry.at)),
      updatedAt: action === 'ADD' ? null : iso(entry.at),
      isDeleted: action === 'DELETE',
    };
  });
}
