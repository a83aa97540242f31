/**
 * The structured user profile. The model proposes patches; the user edits, pins and rejects.
 * Rules: the model never changes an entry the user set or pinned, never brings back a value the
 * user rejected, and records the turn it read each value from. Every change is audited. A value
 * that falls under a "do not remember" rule is never stored: refused from the model, an error
 * (`DO_NOT_REMEMBER`) for the user, as for memories.
 */
import { MemoryError } from '../../sdk/errors';
import type { AuditEntry, ChangeActor, ProfileEntry, ProfilePatch, ProfileProposalResult, UserProfile } from '../../sdk/types';
import type { Clock, ProfileStore } from '../ports';
import { stripInvisible } from '../invisible';
import { LIST_FIELDS } from './profile-fields';

export function entryId(field: string, keyOrValue?: string): string {
  if (keyOrValue === undefined) return field;
  return `${field}:${keyOrValue.toLowerCase().replace(/\s+/g, ' ').trim()}`;
}

/** The profile as a host sees it, built from the entries that are not rejected. */
export function assembleProfile(entries: ProfileEntry[]): UserProfile {
  const profile: UserProfile = { interests: [], goals: [], preferences: {}, facts: [] };
  for (const entry of entries) {
    if (entry.rejected) continue;
    if (entry.field === 'preferences') profile.preferences[entry.key!] = entry.value;
    else if ((LIST_FIELDS as readonly string[]).includes(entry.field)) profile[entry.field as 'interests'].push(entry.value);
    else (profile as unknown as Record<string, string>)[entry.field] = entry.value;
  }
  return profile;
}

export class ProfileService {
  readonly #store: ProfileStore;
  readonly #clock: Clock;
  readonly #blockedBy: (text: string) => string | undefined;

  constructor(store: ProfileStore, clock: Clock, blockedBy: (text: string) => string | undefined = () => undefined) {
    this.#store = store;
    this.#clock = clock;
    this.#blockedBy = blockedBy;
  }

  async get(): Promise<{ profile: UserProfile; entries: ProfileEntry[] }> {
    const entries = (await this.#store.entries()).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    return { profile: assembleProfile(entries), entries };
  }

  /** The user's own edit: always wins, and marks the entries as the user's. */
  async update(patches: ProfilePatch[]): Promise<ProfileProposalResult> {
    return this.#apply(patches, 'user');
  }

  /** The model's proposals, validated, applied where the rules allow, refused (with the reason) where not. */
  async propose(raw: unknown[], sourceTurnId?: string): Promise<ProfileProposalResult> {
    const { checkProfilePatch } = await import('./profile-schema');
    const patches = raw.map((patch) => checkProfilePatch(patch, 'LLM_OUTPUT_INVALID', 'A profile patch is not valid'));
    return this.#apply(patches, 'llm', sourceTurnId);
  }

  async pin(id: string, pinned: boolean): Promise<void> {
    const entry = await this.#require(id);
    await this.#write([{ ...entry, pinned, updatedAt: this.#clock.now() }], [], 'user', pinned ? 'pin' : 'unpin', entry);
  }

  /** The user says a value the model found is wrong: hidden, and never proposed again. */
  async reject(id: string): Promise<void> {
    const entry = await this.#require(id);
    if (entry.setBy === 'user')
      throw new MemoryError('INVALID_ARGUMENT', 'Only values the assistant proposed can be rejected; edit or remove yours');
    await this.#write([{ ...entry, rejected: true, pinned: false, updatedAt: this.#clock.now() }], [], 'user', 'reject', entry);
  }

  async history(): Promise<AuditEntry[]> {
    return this.#store.history();
  }

  async #apply(patches: ProfilePatch[], actor: 'user' | 'llm', sourceTurnId?: string): Promise<ProfileProposalResult> {
    // The schema (and zod) load with the first change, not with the profile.
    const { checkProfilePatch } = await import('./profile-schema');
    const byId = new Map((await this.#store.entries()).map((entry) => [entry.id, entry]));
    const result: ProfileProposalResult = { applied: [], refused: [] };
    const put = new Map<string, ProfileEntry>();
    const removed = new Set<string>();
    const audit: AuditEntry[] = [];
    const now = this.#clock.now();
    for (const raw of patches) {
      const patch = withoutInvisible(
        actor === 'user' ? checkProfilePatch(raw, 'INVALID_ARGUMENT', 'Profile change not valid') : raw,
      );
      if ('value' in patch && patch.op !== 'remove' && !patch.value.trim()) {
        if (actor === 'user') throw new MemoryError('INVALID_ARGUMENT', 'Profile change not valid: the value is blank');
        result.refused.push({ patch, reason: 'the value is blank' });
        continue;
      }
      const key = patch.field === 'preferences' ? patch.key : undefined;
      const listValue = patch.op === 'set' ? undefined : 'value' in patch ? patch.value : undefined;
      const id =
        patch.field === 'preferences'
          ? entryId('preferences', key)
          : listValue !== undefined
            ? entryId(patch.field, listValue)
            : entryId(patch.field);
      const current = put.get(id) ?? (removed.has(id) ? undefined : byId.get(id));
      const rule = patch.op === 'remove' ? undefined : this.#blockedBy(`${key ?? ''} ${patch.value}`.trim());
      if (rule && actor === 'user')
        throw new MemoryError('DO_NOT_REMEMBER', `Not stored: it falls under the "do not remember" rule ${rule}`, {
          details: { rule },
        });
      const refusal = rule
        ? `it falls under the "do not remember" rule ${rule}`
        : actor === 'llm'
          ? refuse(patch, current)
          : undefined;
      if (refusal) {
        result.refused.push({ patch, reason: refusal });
        continue;
      }
      if (patch.op === 'remove') {
        if (!current || current.rejected) continue;
        removed.add(id);
        put.delete(id);
        audit.push(entryAudit(now, actor, 'delete', id, current, undefined, sourceTurnId));
      } else {
        const next: ProfileEntry = {
          id,
          field: patch.field,
          value: patch.value.trim(),
          setBy: actor,
          pinned: current?.pinned ?? false,
          rejected: false,
          // Entries made in one call keep the order they were given in.
          createdAt: current?.createdAt ?? now + put.size / 1000,
          updatedAt: now,
        };
        if (key !== undefined) next.key = key;
        if (sourceTurnId !== undefined && actor === 'llm') next.sourceTurnId = sourceTurnId;
        if (current && !current.rejected && current.value === next.value && current.setBy === next.setBy) continue;
        removed.delete(id);
        put.set(id, next);
        audit.push(entryAudit(now, actor, current ? 'update' : 'create', id, current, next, sourceTurnId));
      }
      result.applied.push(patch);
    }
    if (put.size > 0 || removed.size > 0) await this.#store.write([...put.values()], [...removed], audit);
    return result;
  }

  async #write(put: ProfileEntry[], remove: string[], actor: ChangeActor, reason: string, before: ProfileEntry): Promise<void> {
    const after = put[0];
    await this.#store.write(put, remove, [
      entryAudit(this.#clock.now(), actor, 'update', before.id, before, after, undefined, reason),
    ]);
  }

  async #require(id: string): Promise<ProfileEntry> {
    const entry = (await this.#store.entries()).find((candidate) => candidate.id === id);
    if (!entry) throw new MemoryError('NOT_FOUND', `No profile entry ${id}`);
    return entry;
  }
}

/** Why the model may not make this change, or undefined when it may. */
function refuse(patch: ProfilePatch, current: ProfileEntry | undefined): string | undefined {
  if (!current) return undefined;
  if (current.rejected && patch.op !== 'remove' && current.value.toLowerCase() === patch.value.trim().toLowerCase()) {
    return 'the user rejected this value';
  }
  if (current.rejected) return undefined;
  if (current.setBy === 'user') return 'the user set this entry';
  if (current.pinned) return 'the entry is pinned';
  return undefined;
}

/**
 * The patch with invisible format characters taken out of the value it writes (../invisible.ts):
 * the profile stores what a person sees. A removal names a stored value as it is, so it is left alone.
 */
function withoutInvisible(patch: ProfilePatch): ProfilePatch {
  return 'value' in patch && patch.op !== 'remove' ? ({ ...patch, value: stripInvisible(patch.value) } as ProfilePatch) : patch;
}

function entryAudit(
  at: number,
  actor: ChangeActor,
  action: AuditEntry['action'],
  id: string,
  before: ProfileEntry | undefined,
  after: ProfileEntry | undefined,
  sourceTurnId?: string,
  reason?: string,
): AuditEntry {
  const entry: AuditEntry = { at, actor, action, entity: 'profile', entityId: id };
  if (before) entry.before = { value: before.value, setBy: before.setBy, pinned: before.pinned, rejected: before.rejected };
  if (after) entry.after = { value: after.value, setBy: after.setBy, pinned: after.pinned, rejected: after.rejected };
  const why = reason ?? (sourceTurnId ? `from turn ${sourceTurnId}` : undefined);
  if (why) entry.reason = why;
  return entry;
}
