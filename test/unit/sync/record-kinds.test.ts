/**
 * The merge of every synced record type beside memories: the result the rules say, and the same
 * result for every arrival order of the same versions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AuditEntry, ChangeActor, Episode, ProfileEntry, SessionSummary } from '../../../src/sdk/types';
import { formatStamp } from '../../../src/sync/hlc';
import { canonical, seenBy } from '../../../src/sync/merge';
import {
  auditKind,
  episodeKind,
  profileKind,
  sessionKind,
  settingsKind,
  summaryKind,
  turnKind,
  type RecordKind,
  type RecordVersion,
  type SyncedSession,
  type SyncedSettings,
  type SyncedTurn,
} from '../../../src/sync/record-kinds';
import { permutations } from '../../support/permutations';

function version<T>(
  type: string,
  device: string,
  wall: number,
  value: T | undefined,
  seen: RecordVersion[] = [],
  actor: ChangeActor = 'user',
): RecordVersion<T> {
  return {
    type,
    id: 'r1',
    device,
    hlc: formatStamp(wall, 0),
    actor,
    seen: seenBy(seen),
    ...(value === undefined ? { deleted: true as const } : { value }),
  };
}

/** The merge of `versions` in every arrival order: all the same, returned once. */
function mergeAnyOrder<T>(kind: RecordKind<T>, versions: RecordVersion<T>[], seed = 7): T | undefined {
  const results = permutations(versions, seed).map((order) => canonical(kind.merge(order)));
  expect(new Set(results).size).toBe(1);
  return kind.merge(versions);
}

const session = (title: string): SyncedSession => ({ id: 'r1', title, createdAt: 1, updatedAt: 2 });
const turn = (archivedAt?: number): SyncedTurn => ({
  id: 'r1',
  sessionId: 's1',
  role: 'user',
  content: 'Hello there',
  createdAt: 5,
  ...(archivedAt === undefined ? {} : { archivedAt }),
});
const summary = (text: string, turnsCovered: number): SessionSummary => ({ sessionId: 'r1', text, turnsCovered, updatedAt: 9 });
const entry = (value: string, setBy: 'user' | 'llm', extra: Partial<ProfileEntry> = {}): ProfileEntry => ({
  id: 'r1',
  field: 'name',
  value,
  setBy,
  pinned: false,
  rejected: false,
  createdAt: 1,
  updatedAt: 1,
  ...extra,
});
const episode = (status: Episode['status'], actions: string[], lessons: string[] = []): Episode => ({
  id: 'r1',
  task: 'Plan the trip',
  status,
  actions: actions.map((action, i) => ({ action, outcome: 'done', at: 10 + action.length + i })),
  lessons,
  startedAt: 1,
  memoryId: 'm1',
});
const audit = (redacted: boolean): AuditEntry => ({
  at: 3,
  actor: 'user',
  action: 'update',
  entity: 'memory',
  entityId: 'm1',
  ...(redacted ? { redacted: true } : { before: { text: 'old words' }, after: { text: 'new words' }, reason: 'edited' }),
});
const settings = (rules: SyncedSettings['doNotRemember']['rules']): SyncedSettings => ({
  retention: { turn: 30 },
  doNotRemember: { rules, patterns: [] },
});

describe('record merges', () => {
  it('conversations: the later title wins, a delete beats a concurrent rename', () => {
    const a = version('session', 'A', 10, session('Trip'));
    const b = version('session', 'B', 20, session('Holiday'), [a]);
    const c = version('session', 'C', 15, session('Paris'));
    expect(mergeAnyOrder(sessionKind, [a, b, c])?.title).toBe('Holiday');
    const gone = version<SyncedSession>('session', 'C', 12, undefined, [a]);
    expect(mergeAnyOrder(sessionKind, [a, b, gone])).toBeUndefined();
  });

  it('turns: a union, archived everywhere at the earliest time, gone once removed with its conversation', () => {
    const a = version('turn', 'A', 10, turn());
    const b = version('turn', 'B', 20, turn(200), [a]);
    const c = version('turn', 'C', 30, turn(100), [a], 'llm');
    expect(mergeAnyOrder(turnKind, [a, b, c])).toEqual(turn(100));
    expect(mergeAnyOrder(turnKind, [a])).toEqual(turn());
    expect(mergeAnyOrder(turnKind, [a, b, version<SyncedTurn>('turn', 'C', 5, undefined)])).toBeUndefined();
  });

  it('rolling summaries: the one covering more turns, then the later', () => {
    const a = version('summary', 'A', 30, summary('short', 4));
    const b = version('summary', 'B', 10, summary('longer', 8));
    const c = version('summary', 'C', 20, summary('same length, later', 8));
    expect(mergeAnyOrder(summaryKind, [a, b])?.text).toBe('longer');
    expect(mergeAnyOrder(summaryKind, [a, b, c])?.text).toBe('same length, later');
    // A summary made after seeing another replaces it, whatever it covers.
    const d = version('summary', 'A', 40, summary('redone', 2), [a, b, c]);
    expect(mergeAnyOrder(summaryKind, [a, b, c, d])?.text).toBe('redone');
  });

  it("profile fields: a user's value beats a model's later one, rejected values are a union", () => {
    const user = version('profile', 'A', 10, entry('Sam', 'user'), [], 'user');
    const model = version('profile', 'B', 20, entry('Samuel', 'llm'), [], 'llm');
    expect(mergeAnyOrder(profileKind, [user, model])).toMatchObject({ value: 'Sam', setBy: 'user', rejected: false });
    // Rejected on C, edited concurrently on A: the edit wins and stays rejected.
    const rejected = version('profile', 'C', 15, entry('Samuel', 'llm', { rejected: true }), [model], 'user');
    const pinned = version('profile', 'A', 30, entry('Sam', 'user', { pinned: true }), [user, model], 'user');
    expect(mergeAnyOrder(profileKind, [user, model, rejected, pinned])).toMatchObject({
      value: 'Sam',
      pinned: true,
      rejected: true,
    });
    // Removed on one device while rejected on another: it stays, rejected (so the model cannot bring it back).
    const removed = version<ProfileEntry>('profile', 'A', 40, undefined, [model], 'user');
    expect(mergeAnyOrder(profileKind, [model, rejected, removed])).toMatchObject({ value: 'Samuel', rejected: true });
  });

  it('episodes: the later status, actions and lessons from every device', () => {
    const a = version('episode', 'A', 10, episode('open', ['book flights']));
    const b = version('episode', 'B', 20, episode('open', ['book flights', 'book hotel']), [a]);
    const c = version('episode', 'C', 30, episode('succeeded', ['book flights', 'rent car'], ['book early']), [a]);
    const merged = mergeAnyOrder(episodeKind, [a, b, c]);
    expect(merged?.status).toBe('succeeded');
    expect(merged?.actions.map((action) => action.action).sort()).toEqual(['book flights', 'book hotel', 'rent car']);
    expect(merged?.lessons).toEqual(['book early']);
  });

  it('the audit trail: a union, redacted everywhere once redacted anywhere', () => {
    const a = version('audit', 'A', 10, audit(false));
    const b = version('audit', 'B', 20, audit(true), [a]);
    const merged = mergeAnyOrder(auditKind, [a, b]);
    expect(merged).toEqual({ at: 3, actor: 'user', action: 'update', entity: 'memory', entityId: 'm1', redacted: true });
    expect(JSON.stringify(merged)).not.toContain('words');
  });

  it('settings: the later change wins', () => {
    const a = version('settings', 'A', 10, settings(['password']));
    const b = version('settings', 'B', 20, settings(['password', 'health']));
    expect(mergeAnyOrder(settingsKind, [a, b])?.doNotRemember.rules).toEqual(['password', 'health']);
  });

  it('every type gives the same result whatever order the versions arrive in', () => {
    const kinds: [RecordKind<unknown>, (i: number) => unknown][] = [
      [sessionKind as RecordKind<unknown>, (i) => session(`t${i}`)],
      [turnKind as RecordKind<unknown>, (i) => turn(i % 2 ? 100 + i : undefined)],
      [summaryKind as RecordKind<unknown>, (i) => summary(`s${i}`, i % 3)],
      [profileKind as RecordKind<unknown>, (i) => entry(`v${i}`, i % 2 ? 'llm' : 'user', { rejected: i % 2 === 0 })],
      [
        episodeKind as RecordKind<unknown>,
        (i) => episode(i % 2 ? 'open' : 'failed', [`a${i}`, `a${i + 1}`], [`l${i}`, `l${i % 3}`]),
      ],
      [auditKind as RecordKind<unknown>, (i) => audit(i % 2 === 1)],
      [settingsKind as RecordKind<unknown>, (i) => settings(i % 2 ? ['password'] : [])],
    ];
    const spec = fc.record({
      device: fc.constantFrom('A', 'B', 'C', 'D'),
      wall: fc.integer({ min: 1, max: 40 }),
      deleted: fc.boolean(),
      actor: fc.constantFrom<ChangeActor>('user', 'llm', 'policy'),
      sawFirst: fc.boolean(),
    });
    for (const [kind, make] of kinds) {
      fc.assert(
        fc.property(fc.array(spec, { minLength: 1, maxLength: 5 }), fc.nat(), (specs, seed) => {
          const first = version(kind.type, 'A', 1, make(0));
          const byDevice = new Map<string, RecordVersion>([['A', first]]);
          specs.forEach((s, i) => {
            const value = s.deleted && kind !== auditKind ? undefined : make(i + 1);
            byDevice.set(s.device, version(kind.type, s.device, s.wall + 1, value, s.sawFirst ? [first] : [], s.actor));
          });
          mergeAnyOrder(kind, [...byDevice.values()], seed);
        }),
        { numRuns: 40 },
      );
    }
  });
});
