/**
 * Audit entries for memories. Content goes into the trail only for changes (before → after). A
 * creation records what kind of memory appeared (its text is in the memory itself); a deletion
 * records nothing of the text, and the store redacts the earlier entries: deleted words do not
 * live on in the audit trail.
 */
import type { AuditEntry, ChangeActor, MemoryItem, MemoryPatch } from '../../sdk/types';

/** How an update is logged: a change of the pin alone as what it is (`pin`, `unpin`). */
export function updateAction(
  action: AuditEntry['action'],
  patch: MemoryPatch,
  current: MemoryItem,
  next: MemoryItem,
): AuditEntry['action'] {
  const pinOnly =
    action === 'update' &&
    next.pinned !== current.pinned &&
    Object.entries(patch).every(([key, value]) => key === 'pinned' || value === undefined);
  return pinOnly ? (next.pinned ? 'pin' : 'unpin') : action;
}

export function memoryAudit(
  at: number,
  actor: ChangeActor,
  action: AuditEntry['action'],
  id: string,
  before: MemoryItem | undefined,
  after: MemoryItem | undefined,
  reason?: string,
): AuditEntry {
  const entry: AuditEntry = { at, actor, action, entity: 'memory', entityId: id };
  if (action === 'create' && after) entry.after = { kind: after.kind, importance: after.importance, pinned: after.pinned };
  else if (action !== 'delete') {
    if (before) entry.before = contentOf(before);
    if (after) entry.after = contentOf(after);
  }
  if (reason) entry.reason = reason;
  return entry;
}

/**
 * One entry for memories created together (a batch of `addMany`): who added them and when, their
 * ids, nothing of their content (each memory holds its own words, kind and weights). A thousand
 * additions cost one entry instead of a thousand.
 */
export function bulkCreateAudit(at: number, actor: ChangeActor, ids: string[], batchId: string): AuditEntry {
  return { at, actor, action: 'create', entity: 'memory', entityId: `batch:${batchId}`, entityIds: ids };
}

/** What the audit trail keeps of a memory: its content, not its bookkeeping. */
function contentOf(item: MemoryItem): Partial<MemoryItem> {
  const { text, kind, importance, pinned, metadata, validFrom, validTo } = item;
  return validTo === undefined
    ? { text, kind, importance, pinned, metadata, validFrom }
    : { text, kind, importance, pinned, metadata, validFrom, validTo };
}

/** The entry for writing a merge result from another device: created, updated or deleted here. */
export function mergeAudit(
  at: number,
  actor: ChangeActor,
  id: string,
  before: MemoryItem | undefined,
  after: MemoryItem | undefined,
  reason: string,
): AuditEntry {
  return memoryAudit(at, actor, after ? (before ? 'update' : 'create') : 'delete', id, before, after, reason);
}
