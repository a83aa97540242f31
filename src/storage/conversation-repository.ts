/** The {@link ConversationStore} port over Dexie; rows are sealed like every record when encrypted. */
import { toMemoryError } from '../sdk/errors';
import type { Session, SessionSummary, Turn } from '../sdk/types';
import type { ConversationStore } from '../core/ports';
import type { LayerRow, MnemeDatabase } from './db';
import { plainCodec, readable, type RecordCodec, type StoredRow } from './codec';

export function createConversationRepository(db: MnemeDatabase, codec: RecordCodec = plainCodec): ConversationStore {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw toMemoryError(error, 'STORAGE_FAILED');
    }
  };
  const encodeSession = async (session: Session) => (await codec.encodeRow('sessions', session)) as LayerRow;
  const encodeTurn = async (turn: Turn) => (await codec.encodeRow('turns', turn)) as LayerRow;
  const decode = <T extends object>(table: 'sessions' | 'turns', rows: (LayerRow | undefined)[]) =>
    readable(
      rows.filter((row): row is LayerRow => row !== undefined),
      (row) => codec.decodeRow<T>(table, row as StoredRow),
    );

  return {
    putSession: (session) =>
      guard(async () => {
        const row = await encodeSession(session);
        await db.sessions.put(row);
      }),
    getSession: (id) => guard(async () => (await decode<Session>('sessions', [await db.sessions.get(id)]))[0]),
    listSessions: () =>
      guard(async () => decode<Session>('sessions', await db.sessions.orderBy('updatedAt').reverse().toArray())),
    deleteSession: (id) =>
      guard(() =>
        db.transaction('rw', db.sessions, db.turns, db.summaries, async () => {
          await db.turns.where('sessionId').equals(id).delete();
          // A deleted conversation's summary goes with it (it used to stay behind, unreachable).
          await db.summaries.where('sessionId').equals(id).delete();
          await db.sessions.delete(id);
        }),
      ),
    appendTurn: (turn, session) =>
      guard(async () => {
        const [turnRow, sessionRow] = await Promise.all([encodeTurn(turn), encodeSession(session)]);
        await db.transaction('rw', db.sessions, db.turns, async () => {
          await db.turns.add(turnRow);
          await db.sessions.put(sessionRow);
        });
      }),
    turns: (sessionId, { includeArchived }) =>
      guard(async () => {
        const rows = await db.turns.where('[sessionId+seq]').between([sessionId, -Infinity], [sessionId, Infinity]).toArray();
        return decode<Turn>('turns', includeArchived ? rows : rows.filter((row) => row.archivedAt === undefined));
      }),
    summary: (sessionId) =>
      guard(async () => {
        const row = await db.summaries.get(sessionId);
        return row && codec.decodeRow<SessionSummary>('summaries', row as StoredRow);
      }),
    putSummary: (summary, archivedTurnIds) =>
      guard(async () => {
        const row = (await codec.encodeRow('summaries', {
          id: summary.sessionId,
          createdAt: summary.updatedAt,
          ...summary,
        })) as LayerRow;
        await db.transaction('rw', db.summaries, db.turns, async () => {
          await db.summaries.put(row);
          if (archivedTurnIds.length > 0)
            await db.turns.where('id').anyOf(archivedTurnIds).modify({ archivedAt: summary.updatedAt });
        });
      }),
    archiveTurns: (turnIds, at) =>
      guard(async () => {
        if (turnIds.length > 0) await db.turns.where('id').anyOf(turnIds).modify({ archivedAt: at });
      }),
  };
}
