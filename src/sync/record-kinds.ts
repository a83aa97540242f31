/**
 * The record types that sync beside memories, each with its merge: a pure function of the set of
 * every device's latest version of one record, so every device stores the same result whatever
 * order the versions arrived in (see merge.ts for the rule they build on).
 *
 * - Conversations (`session`): the later title wins; a deleted conversation stays deleted.
 * - Turns: append-only, a union; a turn removed with its conversation stays removed; archived
 *   (summarised) on any device is archived everywhere, at the earliest time. Their order in a
 *   conversation is by time then id, so two devices' turns interleave the same way everywhere.
 * - Rolling summaries: the one covering more turns, then the rule.
 * - Profile entries: the rule (a user's value beats a model's); rejected values are a union: a
 *   value rejected on any device stays rejected.
 * - Episodes: the rule for task, status and outcome; actions and lessons are unions.
 * - The audit trail: a union of entries; an entry redacted on any device (its record was
 *   forgotten) is redacted everywhere.
 * - Settings (the privacy settings: "do not remember" rules, retention): the rule.
 */
import type { AuditEntry, ChangeActor, Episode, ProfileEntry, Session, SessionSummary, Turn } from '../sdk/types';
import type { PrivacyState } from '../sdk/privacy';
import type { HlcStamp } from './hlc';
import { canonical, compareConcurrent, heads, winner, type Versioned } from './merge';

/** One device's latest version of one record of a synced type. */
export interface RecordVersion<T = unknown> extends Versioned {
  type: string;
  /** Absent when deleted. */
  value?: T;
}

export interface RecordKind<T = unknown> {
  /** The document type; also what names the record's documents. */
  type: string;
  /** What every device stores for one record, from all devices' versions of it (undefined: nothing). */
  merge(versions: readonly RecordVersion<T>[]): T | undefined;
  /** Who made a local change (a user's beats a model's among concurrent changes). */
  actorOf(value: T | undefined): ChangeActor;
  /**
   * Changes are announced by whoever makes them (no scan of storage finds them): settings that
   * live in memory, set from the host's options at every start.
   */
  announced?: boolean;
  /**
   * Kept outside the profile's tables (the device list lives in the sync settings), so the local
   * change tracking (record-changes.ts) never hears of its writes: compared whole at every check.
   */
  unwatched?: boolean;
}

/** A turn as it travels: its place in the conversation (`seq`) is worked out on each device. */
export type SyncedTurn = Omit<Turn, 'seq'>;
/** A conversation as it travels: its turn count is counted on each device. */
export type SyncedSession = Omit<Session, 'turnCount'>;
/** The privacy settings that follow the user (one record, id {@link SETTINGS_ID}). */
export type SyncedSettings = PrivacyState;
export const SETTINGS_ID = 'privacy';

/** Oldest first by stamp, then device: a fixed order of versions whatever order they came in. */
const byStamp = (a: Versioned, b: Versioned) =>
  a.hlc !== b.hlc ? (a.hlc < b.hlc ? -1 : 1) : a.device < b.device ? -1 : a.device > b.device ? 1 : 0;

const live = <T>(versions: readonly RecordVersion<T>[]) =>
  [...versions].filter((version) => !version.deleted && version.value !== undefined).sort(byStamp);

/** The winner's value (merge.ts rule), or undefined when it is a delete. */
function lastWriter<T>(versions: readonly RecordVersion<T>[]): T | undefined {
  const best = winner(versions);
  return best && !best.deleted ? best.value : undefined;
}

/** A union: removed once removed, else the values folded oldest first. */
function union<T extends object>(versions: readonly RecordVersion<T>[], fold: (a: T, b: T) => T): T | undefined {
  if (versions.some((version) => version.deleted)) return undefined;
  const values = live(versions).map((version) => version.value!);
  return values.length === 0 ? undefined : values.reduce(fold);
}

/** Distinct values (by content), in a fixed order. */
function distinct<T>(values: readonly T[], order: (a: string, b: string) => number): T[] {
  const byKey = new Map(values.map((value) => [canonical(value), value]));
  return [...byKey.keys()].sort(order).map((key) => byKey.get(key)!);
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const userOr = (user: boolean): ChangeActor => (user ? 'user' : 'llm');

export const sessionKind: RecordKind<SyncedSession> = {
  type: 'session',
  merge: lastWriter,
  actorOf: () => 'user',
};

export const turnKind: RecordKind<SyncedTurn> = {
  type: 'turn',
  merge: (versions) =>
    union(versions, (a, b) => {
      const archivedAt =
        a.archivedAt === undefined
          ? b.archivedAt
          : b.archivedAt === undefined
            ? a.archivedAt
            : Math.min(a.archivedAt, b.archivedAt);
      return archivedAt === undefined ? a : { ...a, archivedAt };
    }),
  actorOf: (turn) => (turn?.role === 'user' ? 'user' : 'llm'),
};

export const summaryKind: RecordKind<SessionSummary> = {
  type: 'summary',
  merge(versions) {
    let best: RecordVersion<SessionSummary> | undefined;
    const covered = (version: RecordVersion<SessionSummary>) => version.value?.turnsCovered ?? -1;
    for (const head of heads(versions)) {
      const better =
        !best ||
        (Boolean(head.deleted) !== Boolean(best.deleted)
          ? Boolean(head.deleted)
          : covered(head) !== covered(best)
            ? covered(head) > covered(best)
            : compareConcurrent(head, best) > 0);
      if (better) best = head;
    }
    return best && !best.deleted ? best.value : undefined;
  },
  actorOf: () => 'llm',
};

export const profileKind: RecordKind<ProfileEntry> = {
  type: 'profile',
  merge(versions) {
    const rejected = live(versions).filter((version) => version.value!.rejected);
    const best = winner(versions);
    if (rejected.length === 0) return best && !best.deleted ? best.value : undefined;
    const base = best && !best.deleted ? best.value! : rejected.at(-1)!.value!;
    return { ...base, rejected: true };
  },
  actorOf: (entry) => userOr(entry?.setBy !== 'llm'),
};

export const episodeKind: RecordKind<Episode> = {
  type: 'episode',
  merge(versions) {
    const best = lastWriter(versions);
    if (!best) return undefined;
    const values = live(versions).map((version) => version.value!);
    const actions = distinct(
      values.flatMap((episode) => episode.actions),
      byText,
    ).sort((a, b) => a.at - b.at);
    const lessons = [...best.lessons];
    for (const episode of values) for (const lesson of episode.lessons) if (!lessons.includes(lesson)) lessons.push(lesson);
    return { ...best, actions, lessons };
  },
  actorOf: () => 'llm',
};

export const auditKind: RecordKind<AuditEntry> = {
  type: 'audit',
  merge: (versions) =>
    union(versions, (a, b) => {
      if (!a.redacted && !b.redacted) return a;
      const { before: _before, after: _after, reason: _reason, ...kept } = a;
      return { ...kept, redacted: true };
    }),
  actorOf: (entry) => entry?.actor ?? 'user',
};

export const settingsKind: RecordKind<SyncedSettings> = {
  type: 'settings',
  merge: lastWriter,
  actorOf: () => 'user',
  announced: true,
};

/** Every synced record type, in the order a pull applies them (a conversation before its turns). */
export const RECORD_KINDS: readonly RecordKind[] = [
  sessionKind,
  turnKind,
  summaryKind,
  profileKind,
  episodeKind,
  auditKind,
  settingsKind,
] as RecordKind[];

/** The key of an audit entry on every device (entries have no id of their own). */
export function auditKey(entry: Pick<AuditEntry, 'at' | 'entity' | 'entityId' | 'action' | 'actor'>): string {
  return `${entry.at}|${entry.entity}|${entry.entityId}|${entry.action}|${entry.actor}`;
}

export type { HlcStamp };
