/**
 * Where merged records land: the profile's tables, through its codec (sealed when the profile is
 * encrypted) and under its write lock, in their synced form (what is local to a device left out:
 * a turn's place `seq`, a conversation's turn count, audit entries of merges made here).
 */
import type { AuditEntry, Episode, ProfileEntry, Session, SessionSummary, Turn } from '../sdk/types';
import type { PrivacyApi, PrivacyState } from '../sdk/privacy';
import type { AuditRow, LayerRow, MnemeDatabase } from '../storage/db';
import { readable, type RecordCodec, type StoredRow } from '../storage/codec';
import { createConversationRepository } from '../storage/conversation-repository';
import { createEpisodeRepository } from '../storage/episode-repository';
import { createProfileRepository } from '../storage/profile-repository';
import { auditKey, SETTINGS_ID, type SyncedSession, type SyncedTurn } from './record-kinds';
import type { RecordTarget } from './record-sync';
import type { TabCoordinator } from '../storage/tabs';
import type { NoteChanges } from './record-changes';
import { Dexie, RangeSet, cmp, type ObservabilitySet } from 'dexie';

/** The reason recorded on merges made on this device (their audit entries stay on this device). */
export const SYNC_REASON = 'synced from another device';

export interface RecordTargetDeps {
  db: MnemeDatabase;
  codec: RecordCodec;
  /** The profile's write lock (one writer across tabs). */
  lock: Pick<TabCoordinator, 'withWriteLock'>;
  privacy: PrivacyApi;
}

type Values = Map<string, unknown>;

const present = async <T>(rows: Promise<(T | undefined)[]>) => (await rows).filter((row): row is T => row !== undefined);

const byPlace = (a: Turn, b: Turn) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function recordTarget({ db, codec, lock, privacy }: RecordTargetDeps): RecordTarget {
  const conversations = createConversationRepository(db, codec);
  const profile = createProfileRepository(db, codec);
  const episodes = createEpisodeRepository(db, codec);
  const decodeAll = async <T extends object>(table: 'turns' | 'summaries', rows: LayerRow[]) =>
    readable(rows, (row) => codec.decodeRow<T>(table, row as StoredRow));
  const auditRows = async () => readable(await db.audit.toArray(), decodeAudit);
  /**
   * An entry in its synced form (a redacted one keeps no reason), and whether it is the entry of a
   * merge made here: that stays local, redacted or not (its reason is read before it is dropped).
   */
  const decodeAudit = async ({ seq, ...row }: AuditRow) => {
    const entry = await codec.decodeRow<AuditEntry>('audit', row as StoredRow);
    const local = entry.reason === SYNC_REASON;
    if (!entry.redacted) return { seq: seq!, entry, local };
    const { before: _before, after: _after, reason: _reason, ...kept } = entry;
    return { seq: seq!, entry: kept as AuditEntry, local };
  };

  /** Numbers a conversation's turns by time then id, and counts them into the conversation. */
  const renumber = async (sessionIds: Set<string>) => {
    for (const sessionId of sessionIds) {
      const rows = await db.turns.where('sessionId').equals(sessionId).toArray();
      const turns = (await decodeAll<Turn>('turns', rows)).sort(byPlace);
      const moved = turns.flatMap((turn, seq) => (turn.seq === seq ? [] : [{ ...turn, seq }]));
      if (moved.length > 0)
        await db.turns.bulkPut(await Promise.all(moved.map(async (turn) => (await codec.encodeRow('turns', turn)) as LayerRow)));
      const session = await conversations.getSession(sessionId);
      if (session && session.turnCount !== turns.length) await conversations.putSession({ ...session, turnCount: turns.length });
    }
  };

  const read: Record<string, () => Promise<Values>> = {
    session: async () =>
      new Map((await conversations.listSessions()).map(({ turnCount: _count, ...session }) => [session.id, session])),
    turn: async () =>
      new Map((await decodeAll<Turn>('turns', await db.turns.toArray())).map(({ seq: _seq, ...turn }) => [turn.id, turn])),
    summary: async () =>
      new Map(
        (await decodeAll<SessionSummary & { id: string; createdAt: number }>('summaries', await db.summaries.toArray())).map(
          ({ id: _id, createdAt: _created, ...summary }) => [summary.sessionId, summary],
        ),
      ),
    profile: async () => new Map((await profile.entries()).map((entry) => [entry.id, entry])),
    episode: async () => new Map((await episodes.list()).map((episode) => [episode.id, episode])),
    audit: async () =>
      new Map((await auditRows()).flatMap(({ entry, local }) => (local ? [] : [[auditKey(entry), entry] as const]))),
    settings: async () => new Map([[SETTINGS_ID, await privacy.get()]]),
  };

  /** Audit entries by key, with their place (`seq`), found through the time each key starts with. */
  const auditByKey = async (keys: readonly string[]) => {
    const times = [...new Set(keys.map((key) => Number(key.slice(0, key.indexOf('|')))))];
    const rows = await readable(await db.audit.where('at').anyOf(times).toArray(), decodeAudit);
    const wanted = new Set(keys);
    return new Map(rows.flatMap((row) => (wanted.has(auditKey(row.entry)) ? [[auditKey(row.entry), row] as const] : [])));
  };
  const byIds = <T extends { id: string }>(values: T[]) => new Map(values.map((value) => [value.id, value]));
  /** Reads only the records a merge needs (the large tables); the small ones are read whole. */
  const readSome: Record<string, (ids: readonly string[]) => Promise<Values>> = {
    session: async (ids) =>
      byIds(
        (await Promise.all(ids.map((id) => conversations.getSession(id))))
          .filter((session): session is Session => session !== undefined)
          .map(({ turnCount: _count, ...session }) => session),
      ),
    turn: async (ids) =>
      byIds((await decodeAll<Turn>('turns', await present(db.turns.bulkGet([...ids])))).map(({ seq: _seq, ...turn }) => turn)),
    summary: async (ids) =>
      new Map(
        (
          await decodeAll<SessionSummary & { id: string; createdAt: number }>(
            'summaries',
            await present(db.summaries.bulkGet([...ids])),
          )
        ).map(({ id: _id, createdAt: _created, ...summary }) => [summary.sessionId, summary]),
      ),
    audit: async (keys) => {
      const found = await auditByKey(keys);
      return new Map([...found].flatMap(([key, { entry, local }]) => (local ? [] : [[key, entry] as const])));
    },
  };

  const apply: Record<string, (puts: Values, deletes: string[]) => Promise<void>> = {
    session: async (puts, deletes) => {
      for (const id of deletes) await conversations.deleteSession(id);
      for (const session of puts.values() as Iterable<SyncedSession>) {
        const count = await db.turns.where('sessionId').equals(session.id).count();
        await conversations.putSession({ ...session, turnCount: count } as Session);
      }
    },
    turn: async (puts, deletes) => {
      const gone = await db.turns.bulkGet(deletes);
      const sessions = new Set(gone.flatMap((row) => (row ? [row.sessionId as string] : [])));
      await db.turns.bulkDelete(deletes);
      const rows = await Promise.all(
        [...(puts.values() as Iterable<SyncedTurn>)].map(async (turn) => {
          sessions.add(turn.sessionId);
          const stored = await db.turns.get(turn.id);
          return (await codec.encodeRow('turns', { ...turn, seq: (stored?.seq as number | undefined) ?? -1 })) as LayerRow;
        }),
      );
      await db.turns.bulkPut(rows);
      await renumber(sessions);
    },
    summary: async (puts, deletes) => {
      await db.summaries.bulkDelete(deletes);
      const rows = [...(puts.values() as Iterable<SessionSummary>)].map((summary) =>
        codec.encodeRow('summaries', { id: summary.sessionId, createdAt: summary.updatedAt, ...summary }),
      );
      await db.summaries.bulkPut((await Promise.all(rows)) as LayerRow[]);
    },
    profile: (puts, deletes) => profile.write([...(puts.values() as Iterable<ProfileEntry>)], deletes, []),
    episode: async (puts, deletes) => {
      for (const id of deletes) await episodes.delete(id);
      for (const episode of puts.values() as Iterable<Episode>) await episodes.put(episode);
    },
    audit: async (puts, deletes) => {
      const found = await auditByKey([...puts.keys(), ...deletes]);
      const seqOf = (key: string) => found.get(key)?.seq;
      const added: AuditRow[] = [];
      const replaced: AuditRow[] = [];
      for (const [key, entry] of puts as Map<string, AuditEntry>) {
        const seq = seqOf(key);
        const row = (await codec.encodeRow('audit', entry)) as unknown as AuditRow;
        if (seq === undefined) added.push(row);
        else replaced.push({ ...row, seq });
      }
      // One transaction: new entries keep the order they arrived in.
      await db.transaction('rw', db.audit, async () => {
        await db.audit.bulkDelete(deletes.flatMap((key) => (seqOf(key) === undefined ? [] : [seqOf(key)!])));
        await db.audit.bulkPut(replaced);
        await db.audit.bulkAdd(added);
      });
    },
    settings: async (puts) => {
      const settings = puts.get(SETTINGS_ID) as PrivacyState | undefined;
      if (settings) await privacy.set(settings);
    },
  };

  /** Per type, its records stored under table keys: those present, and the ids of rows gone (undefined: not told). */
  const readChanged: Record<string, (keys: readonly unknown[]) => Promise<{ values: Values; gone: string[] } | undefined>> = {
    session: async (keys) => {
      const values = await readSome.session!(keys as string[]);
      return { values, gone: (keys as string[]).filter((id) => !values.has(id)) };
    },
    turn: async (keys) => {
      const values = await readSome.turn!(keys as string[]);
      return { values, gone: (keys as string[]).filter((id) => !values.has(id)) };
    },
    summary: async (keys) => {
      const values = await readSome.summary!(keys as string[]);
      return { values, gone: (keys as string[]).filter((id) => !values.has(id)) };
    },
    audit: async (keys) => {
      const rows = await db.audit.bulkGet(keys as number[]);
      // A removed entry cannot be named by its place: the trail is compared whole.
      if (rows.some((row) => row === undefined)) return undefined;
      const entries = await readable(rows as AuditRow[], decodeAudit);
      return {
        values: new Map(entries.flatMap(({ entry, local }) => (local ? [] : [[auditKey(entry), entry] as const]))),
        gone: [],
      };
    },
  };

  return {
    read: (type) => read[type]!(),
    // Profile entries (keyed by a tag when sealed), episodes and settings are few: read whole.
    readChanged: async (type, keys) => readChanged[type]?.(keys),
    readSome: async (type, ids) => {
      if (readSome[type]) return readSome[type](ids);
      const all = await read[type]!();
      return new Map(ids.flatMap((id) => (all.has(id) ? [[id, all.get(id)] as const] : [])));
    },
    apply: (type, puts, deletes) =>
      type === 'settings' ? apply.settings!(puts, deletes) : lock.withWriteLock(() => apply[type]!(puts, deletes)),
  };
}

/** The synced record type of each table of the profile's database. */
const TYPE_OF_TABLE: Record<string, string> = {
  sessions: 'session',
  turns: 'turn',
  summaries: 'summary',
  profileFields: 'profile',
  episodes: 'episode',
  audit: 'audit',
};

/**
 * Tells `note` the keys each committed write touched in the synced tables of database `name()`
 * (Dexie's `storagemutated` event, after commit); a write of many rows or a range tells `all`.
 */
export function watchRecordTables(name: () => string, note: NoteChanges): () => void {
  const listener = (parts: ObservabilitySet) => {
    const prefix = `idb://${name()}/`;
    for (const [part, ranges] of Object.entries(parts)) {
      // The primary key's part ends with '/' (an index's part names the index).
      if (!part.startsWith(prefix) || !part.endsWith('/')) continue;
      const type = TYPE_OF_TABLE[part.slice(prefix.length, -1)];
      if (!type) continue;
      const keys: unknown[] = [];
      for (const range of RangeSet(ranges)) {
        if (cmp(range.from, range.to) !== 0) {
          note(type, 'all');
          break;
        }
        keys.push(range.from);
      }
      if (keys.length > 0) note(type, keys);
    }
  };
  Dexie.on('storagemutated', listener);
  return () => Dexie.on('storagemutated').unsubscribe(listener);
}
