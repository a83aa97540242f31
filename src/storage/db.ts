/**
 * The IndexedDB schema, every version in this one file. A new version adds a `db.version(n)`
 * block with its upgrade function below the previous ones; old blocks are never edited, and
 * test/hardening/node/migrations.test.ts opens a fixture of every earlier on-disk format.
 */
import { Dexie, type EntityTable, type Table } from 'dexie';
import type { MemoryRow } from './codec';
import { writeGuard } from './crypto/write-guard';

/** Version 1 only: one row per vector. Kept for the upgrade to version 2. */
export interface VectorRowV1 {
  id: string;
  model: string;
  dim: number;
  data: ArrayBuffer;
}

/**
 * Up to {@link VECTORS_PER_CHUNK} vectors of one model packed in one row: a 10k-memory ingest
 * writes 40 rows instead of 10k. `ids[slot]` is null for a freed slot (its floats are zero).
 */
export interface VectorChunkRow {
  model: string;
  chunk: number;
  dim: number;
  ids: (string | null)[];
  /**
   * `ids.length × dim` little-endian values: float16 when `encoding` is `'f16'` (what is written
   * now: half the bytes), float32 when it is absent (version-1 data). Sealed when encrypted.
   */
  data: ArrayBuffer;
  encoding?: 'f16';
}

export interface SettingRow {
  key: string;
  value: unknown;
}

/** A row of one of the tables the memory layers fill (turns, summaries, profile, …). */
export interface LayerRow {
  id: string;
  [field: string]: unknown;
}

/** An audit entry at rest (see `AuditEntry`); `seq` orders the append-only trail. */
export interface AuditRow {
  seq?: number;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  [field: string]: unknown;
}

export type MnemeDatabase = Dexie & {
  memories: EntityTable<MemoryRow, 'id'>;
  vectorChunks: Table<VectorChunkRow, [string, number]>;
  settings: EntityTable<SettingRow, 'key'>;
  sessions: EntityTable<LayerRow, 'id'>;
  turns: EntityTable<LayerRow, 'id'>;
  summaries: EntityTable<LayerRow, 'id'>;
  profileFields: EntityTable<LayerRow, 'id'>;
  episodes: EntityTable<LayerRow, 'id'>;
  outbox: EntityTable<LayerRow, 'id'>;
  archive: EntityTable<LayerRow, 'id'>;
  audit: EntityTable<AuditRow, 'seq'>;
};

export const VECTORS_PER_CHUNK = 256;

/** Name of a profile's database: profiles never share one. */
export function databaseName(storageName: string, profileId: string): string {
  return `${storageName}-${profileId}`;
}

/** `factory`: the IndexedDB of a storage bucket (see location.ts); the default storage without it. */
export function openDatabase(name: string, factory?: IDBFactory): MnemeDatabase {
  const db = (factory ? new Dexie(name, { indexedDB: factory, IDBKeyRange }) : new Dexie(name)) as MnemeDatabase;
  // Every write checks, in its own transaction, that its rows are sealed exactly when the profile is.
  db.use(writeGuard);

  db.version(1).stores({
    memories: 'id, kind, createdAt, updatedAt',
    vectors: 'id, model',
    settings: 'key',
  });

  db.version(2)
    .stores({
      // Only what queries use: every index costs bytes on every row.
      memories: 'id, kind, createdAt',
      vectors: null,
      vectorChunks: '[model+chunk], model',
      sessions: 'id, updatedAt',
      turns: 'id, sessionId, createdAt, [sessionId+seq]',
      summaries: 'id, sessionId, createdAt',
      profileFields: 'id, field',
      episodes: 'id, status, startedAt',
      outbox: 'id, state, runAfter',
      archive: 'id, kind, archivedAt, originalId',
      audit: '++seq, at, entity, entityId',
    })
    .upgrade(async (tx) => {
      const rows = (await tx.table('vectors').toArray()) as VectorRowV1[];
      await tx.table('vectorChunks').bulkPut(packVectorRows(rows));
    });

  // Turns written before they carried `seq` are not in the [sessionId+seq] index that lists a
  // session's turns, so they vanished. Number them in the order they were written (they are the
  // session's first ones: later turns took `seq` from the session's turn count, which counted them).
  // `seq` is a clear field, so sealed turns get it without their key.
  db.version(3)
    .stores({})
    .upgrade(async (tx) => {
      const rows = (await tx.table('turns').toArray()) as LayerRow[];
      const unnumbered = rows
        .filter((row) => typeof row.seq !== 'number')
        .sort((a, b) => (a.createdAt as number) - (b.createdAt as number) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const next = new Map<unknown, number>();
      for (const row of unnumbered) {
        const seq = next.get(row.sessionId) ?? 0;
        next.set(row.sessionId, seq + 1);
        row.seq = seq;
      }
      if (unnumbered.length > 0) await tx.table('turns').bulkPut(unnumbered);
    });

  // A bulk addition is one audit entry listing its memories (`entityIds`, indexed one key per id,
  // so a memory's history finds it); nothing queried memories by kind, and that index cost bytes
  // and time on every row. Only indexes change: no row is rewritten.
  db.version(4).stores({
    memories: 'id, createdAt',
    audit: '++seq, at, entity, entityId, *entityIds',
  });

  return db;
}

/** Packs per-vector rows into chunk rows, grouped by model, in the given order. */
export function packVectorRows(rows: VectorRowV1[]): VectorChunkRow[] {
  const byModel = new Map<string, VectorRowV1[]>();
  for (const row of rows) {
    const list = byModel.get(row.model);
    if (list) list.push(row);
    else byModel.set(row.model, [row]);
  }
  const chunks: VectorChunkRow[] = [];
  for (const [model, list] of byModel) {
    const dim = list[0]!.dim;
    const usable = list.filter((row) => row.dim === dim);
    for (let start = 0, chunk = 0; start < usable.length; start += VECTORS_PER_CHUNK, chunk++) {
      const part = usable.slice(start, start + VECTORS_PER_CHUNK);
      const data = new Float32Array(part.length * dim);
      part.forEach((row, slot) => data.set(new Float32Array(row.data, 0, dim), slot * dim));
      chunks.push({ model, chunk, dim, ids: part.map((row) => row.id), data: data.buffer });
    }
  }
  return chunks;
}
