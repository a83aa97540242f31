/**
 * What a device shows of its synced profile, read through the public SDK only, and a SHA-256 digest
 * of it: two devices that converged have the same digest. Local bookkeeping stays out (a memory's
 * vector model and last use, a turn's place number `seq` and a conversation's turn count are worked
 * out on each device, and so are the audit entries of merges made here); everything the merge rules
 * decide is in.
 */
import type { AuditEntry, MemoryClient } from '../../../src/sdk/index';

export interface DeviceState {
  memories: unknown[];
  sessions: unknown[];
  profile: unknown[];
  episodes: unknown[];
  audit: unknown[];
  privacy: unknown;
}

/** JSON with sorted keys, so equal states give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The reason on the audit entry of a merge made on this device. */
const MERGE_REASON = 'synced from another device';

const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));

export async function deviceState(client: MemoryClient): Promise<DeviceState> {
  const memories = byId(await client.memories.list({ limit: 100_000 })).map(
    ({ embeddingModel: _model, lastAccessedAt: _used, ...synced }) => synced,
  );
  const sessions = await Promise.all(
    byId(await client.sessions.list()).map(async ({ turnCount: _count, ...session }) => ({
      ...session,
      // In the order the conversation shows them: the merge rule's order, not sorted here.
      turns: (await client.sessions.turns(session.id, { includeArchived: true })).map(({ seq: _seq, ...turn }) => turn),
      summary: (await client.sessions.summary(session.id)) ?? null,
    })),
  );
  const profile = byId((await client.profile.get()).entries);
  const episodes = byId(await client.episodes.list());
  // The whole trail (memories.audit returns the newest 1,000 at most), from the profile's export.
  // A merge's own audit entry stays on the device that made it (src/sync/record-target.ts): not synced state.
  const exported = JSON.parse(await client.data.export()) as { tables: { audit?: (AuditEntry & { seq?: number })[] } };
  const audit = (exported.tables.audit ?? [])
    .map(({ seq: _seq, ...entry }) => entry)
    .filter((entry) => entry.reason !== MERGE_REASON)
    .map(canonical)
    .sort();
  return { memories, sessions, profile, episodes, audit, privacy: await client.privacy.get() };
}

/** The state and the hex SHA-256 of its canonical JSON. */
export async function stateDigest(client: MemoryClient): Promise<{ digest: string; state: DeviceState }> {
  const state = await deviceState(client);
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(state)));
  const digest = [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return { digest, state };
}
