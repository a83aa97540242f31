/**
 * What the malformed-llm suite reads back after a trial, and its checks on it: snapshots of every
 * record a model answer could reach, the shape and limits of each record, what changed between two
 * snapshots, and new texts that no valid answer said.
 */
import type { MemoryClient, MemoryItem } from '../../../src/sdk/index';
import { LIST_FIELDS, SCALAR_FIELDS } from '../../../src/core/profile/profile-schema';
import { CLEAR_FIELDS } from '../../../src/storage/codec';

export interface Snapshot {
  memories: MemoryItem[];
  profile: unknown[];
  profileHistory: unknown[];
  audit: { entityId: string; entity: string; action: string; reason?: string }[];
  summaries: unknown[];
}

export async function snapshot(client: MemoryClient, sessions: string[]): Promise<Snapshot> {
  return {
    memories: await client.memories.list({ limit: 100_000, order: 'oldest' }),
    profile: (await client.profile.get()).entries,
    profileHistory: await client.profile.history(),
    audit: await client.memories.audit(100_000),
    summaries: await Promise.all(sessions.map((id) => client.sessions.summary(id))),
  };
}

/** What a memory says (not its bookkeeping: a context build may touch `lastAccessedAt`). */
const content = (m: MemoryItem) =>
  JSON.stringify([m.id, m.text, m.kind, m.importance, m.pinned, m.validFrom, m.validTo ?? null, m.metadata]);

// Every key a stored memory may have: the ones kept in clear when encrypted, plus its content.
const MEMORY_KEYS = new Set<string>([...CLEAR_FIELDS.memories, 'text', 'metadata']);
const METADATA_KEYS = new Set(['source', 'sourceTurnId', 'supersededBy', 'ownWords', 'session', 'seed']);
const KINDS = new Set(['note', 'fact', 'turn', 'preference', 'summary', 'episode']);
const ENTRY_KEYS = new Set([
  'id',
  'field',
  'key',
  'value',
  'setBy',
  'pinned',
  'rejected',
  'createdAt',
  'updatedAt',
  'sourceTurnId',
]);
const FIELDS = new Set<string>([...SCALAR_FIELDS, ...LIST_FIELDS, 'preferences']);

/** Problems with the records as they stand now: shape, limits, and ids that point nowhere. */
export function checkRecords(after: Snapshot, turnIds: Set<string>, invented: string[]): string[] {
  const problems: string[] = [];
  const ids = new Set(after.memories.map((m) => m.id));
  for (const m of after.memories) {
    const extra = Object.keys(m).filter((key) => !MEMORY_KEYS.has(key));
    if (extra.length) problems.push(`memory ${m.id} has fields ${extra.join(',')}`);
    if (!KINDS.has(m.kind)) problems.push(`memory ${m.id} has kind ${String(m.kind)}`);
    if (typeof m.text !== 'string' || m.text.trim() !== m.text || m.text.length === 0 || m.text.length > 20_000)
      problems.push(`memory ${m.id} text ${JSON.stringify(String(m.text).slice(0, 40))} (${String(m.text).length})`);
    if (m.metadata.source === 'extraction' && (m.text.length < 3 || m.text.length > 300))
      problems.push(`extracted fact ${m.id} has ${m.text.length} characters`);
    if (!(m.importance >= 0 && m.importance <= 1)) problems.push(`memory ${m.id} importance ${m.importance}`);
    const extraMeta = Object.keys(m.metadata).filter((key) => !METADATA_KEYS.has(key));
    if (extraMeta.length) problems.push(`memory ${m.id} metadata has ${extraMeta.join(',')}`);
    const by = m.metadata.supersededBy;
    if (by !== undefined && !ids.has(String(by))) problems.push(`memory ${m.id} superseded by missing ${String(by)}`);
    const turn = m.metadata.sourceTurnId;
    if (turn !== undefined && !turnIds.has(String(turn))) problems.push(`memory ${m.id} from unknown turn ${String(turn)}`);
  }
  for (const raw of after.profile) {
    const entry = raw as Record<string, unknown>;
    const extra = Object.keys(entry).filter((key) => !ENTRY_KEYS.has(key));
    if (extra.length) problems.push(`profile entry has fields ${extra.join(',')}`);
    if (!FIELDS.has(String(entry.field))) problems.push(`profile field ${String(entry.field)}`);
    const value = String(entry.value);
    if (value.trim() !== value || value.length === 0 || value.length > 300)
      problems.push(`profile value ${JSON.stringify(value.slice(0, 40))}`);
    if (entry.key !== undefined && !/^[\p{L}\p{N} _-]{1,60}$/u.test(String(entry.key)))
      problems.push(`profile key ${String(entry.key)}`);
    if (entry.sourceTurnId !== undefined && !turnIds.has(String(entry.sourceTurnId)))
      problems.push(`profile entry from unknown turn ${String(entry.sourceTurnId)}`);
  }
  for (const raw of after.summaries) {
    if (!raw) continue;
    const summary = raw as { text: string };
    if (summary.text.trim().length === 0 || summary.text.length > 2_000)
      problems.push(`summary of ${summary.text.length} characters`);
  }
  const everything = JSON.stringify(after);
  for (const id of invented) if (everything.includes(id)) problems.push(`an invented id ${id} was stored`);
  return problems;
}

/**
 * The memories that hold the user's own words (kept at once while facts are pending, dropped once
 * facts stand for them): written by the extract job before any model call, so not model output.
 */
function ownWordIds(snapshots: Snapshot[]): Set<string> {
  const ids = new Set<string>();
  for (const s of snapshots) {
    for (const m of s.memories) if (m.metadata.ownWords === true) ids.add(m.id);
    for (const a of s.audit)
      if (a.action === 'delete' && a.reason === 'replaced by the facts extracted from it') ids.add(a.entityId);
  }
  return ids;
}

/** Differences between two snapshots, leaving out the user's own words (not model output). */
export function changes(before: Snapshot, after: Snapshot): string[] {
  const own = ownWordIds([before, after]);
  const problems: string[] = [];
  const mem = (s: Snapshot) =>
    s.memories
      .filter((m) => !own.has(m.id))
      .map(content)
      .sort();
  if (JSON.stringify(mem(before)) !== JSON.stringify(mem(after))) problems.push('memories changed');
  if (JSON.stringify(before.profile) !== JSON.stringify(after.profile)) problems.push('profile changed');
  if (JSON.stringify(before.profileHistory) !== JSON.stringify(after.profileHistory)) problems.push('profile history changed');
  const audit = (s: Snapshot) => s.audit.filter((a) => !own.has(a.entityId)).length;
  if (audit(before) !== audit(after)) problems.push(`audit grew from ${audit(before)} to ${audit(after)}`);
  if (JSON.stringify(before.summaries) !== JSON.stringify(after.summaries)) problems.push('summary changed');
  return problems;
}

/** Records new or changed since `before` that say something no valid answer (or the user) said. */
export function unsaid(before: Snapshot, after: Snapshot, said: Set<string>, turns: string[]): string[] {
  const known = new Set([...said].map((text) => text.trim()));
  for (const text of turns) known.add(text.trim());
  const old = new Set(before.memories.map(content));
  const problems: string[] = [];
  for (const m of after.memories.filter((item) => !old.has(content(item)))) {
    if (!known.has(m.text) && !before.memories.some((b) => b.id === m.id && b.text === m.text))
      problems.push(`memory ${m.id} says ${JSON.stringify(m.text.slice(0, 40))}, which no valid answer said`);
  }
  for (const entry of after.profile as { value: string }[]) {
    if (!known.has(entry.value) && !JSON.stringify(before.profile).includes(JSON.stringify(entry.value)))
      problems.push(`profile value ${JSON.stringify(entry.value.slice(0, 40))}, which no valid answer said`);
  }
  for (const summary of after.summaries as ({ text: string } | undefined)[]) {
    if (summary && !known.has(summary.text) && !JSON.stringify(before.summaries).includes(JSON.stringify(summary.text)))
      problems.push(`summary ${JSON.stringify(summary.text.slice(0, 40))}, which no valid answer said`);
  }
  return problems;
}
