/**
 * The IndexedDB schema, every version in this one file. A new version adds a `db.version(n)`
 * block with its upgrade function below the previous ones; old blocks are never edited.
 */
import { Dexie, type EntityTable } from 'dexie';
import type { MemoryItem } from '../sdk/types';

/** A memory's vector. `data` is the raw little-endian Float32 bytes (`dim` floats). */
export interface VectorRow {
  id: string;
  model: string;
  dim: number;
  data: ArrayBuffer;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

export type MnemeDatabase = Dexie & {
  memories: EntityTable<MemoryItem, 'id'>;
  vectors: EntityTable<VectorRow, 'id'>;
  settings: EntityTable<SettingRow, 'key'>;
};

export const SCHEMA_VERSION = 1;

/** Name of a profile's database: profiles never share one. */
export function databaseName(storageName: string, profileId: string): string {
  return `${storageName}-${profileId}`;
}

export function openDatabase(name: string): MnemeDatabase {
  const db = new Dexie(name) as MnemeDatabase;
  db.version(1).stores({
    memories: 'id, kind, createdAt, updatedAt',
    vectors: 'id, model',
    settings: 'key',
  });
  return db;
}
