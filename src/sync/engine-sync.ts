/**
 * Sync as the engine sees it: one call wires the sync control to the profile's database (its
 * settings row), its memories (store, service) and its announcements (other tabs, events,
 * re-embedding), so src/worker/engine.ts only forwards commits and lifecycle.
 */
import type { Clock, MemoryStore } from '../core/ports';
import type { MemoryService } from '../core/semantic/memory-service';
import type { MnemeDatabase } from '../storage/db';
import { isSealedSetting, type RecordCodec } from '../storage/codec';
import { MemoryError } from '../sdk/errors';
import type { MemoryEvent } from '../sdk/types';
import { memoryTarget } from './memory-target';
import { createSyncControl, type SyncControl, type SyncSettings } from './sync-control';
import { destroyReplica, type PouchReplicaOptions } from './pouch-replica';
import { recordTarget, watchRecordTables, type RecordTargetDeps } from './record-target';

const SETTINGS_KEY = 'sync';

export interface EngineSyncDeps {
  /** The profile's database now (it moves when the profile is rewritten, see storage/location.ts). */
  db(): MnemeDatabase;
  /** How the open profile's records are sealed (its sync settings among them); undefined while locked. */
  codec(): RecordCodec | undefined;
  /** The profile's database name (the same wherever it lives); the local replica is named after it. */
  dbName: string;
  memories(): { service: MemoryService; store: MemoryStore } | undefined;
  /** What the profile's other synced records need (its codec now, its write lock, its privacy settings); undefined while locked. */
  records(): Omit<RecordTargetDeps, 'db'> | undefined;
  /** Merged memories were written: tell other tabs, the host, and embed them. */
  merged(ids: string[]): void;
  emit(event: MemoryEvent): void;
  clock: Clock;
  replica?: Pick<PouchReplicaOptions, 'adapter' | 'plugins'>;
}

export interface EngineSync extends SyncControl {
  /** Stops sync for good (the client closes). */
  close(): Promise<void>;
}

export function createEngineSync(deps: EngineSyncDeps): EngineSync {
  const codec = () => {
    const open = deps.codec();
    if (!open) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it to sync');
    return open;
  };
  const write = async (settings: SyncSettings | undefined) => {
    if (settings) await deps.db().settings.put(await codec().encodeSetting(SETTINGS_KEY, settings));
    else await deps.db().settings.delete(SETTINGS_KEY);
  };
  const control = createSyncControl({
    settings: {
      // Sealed under the profile's data key when it is encrypted: one kept in clear from before is sealed now.
      read: async () => {
        const row = await deps.db().settings.get(SETTINGS_KEY);
        const settings = await codec().decodeSetting<SyncSettings>(row);
        if (settings && codec().encrypted && !isSealedSetting(row)) await write(settings);
        return settings;
      },
      write,
    },
    replicaName: replicaNameOf(deps.dbName),
    target: () => {
      const open = deps.memories();
      return open ? memoryTarget(open.service) : undefined;
    },
    records: () => {
      const open = deps.records();
      return open ? recordTarget({ ...open, db: deps.db() }) : undefined;
    },
    watchRecords: (note) => watchRecordTables(() => deps.db().name, note),
    merged: deps.merged,
    emit: (status) => deps.emit({ type: 'sync', status }),
    clock: deps.clock,
    ...(deps.replica ? { replica: deps.replica } : {}),
  });
  // Back online: replicate now rather than at the next retry.
  const online = () => control.kick();
  globalThis.addEventListener?.('online', online);
  return {
    ...control,
    close: async () => {
      globalThis.removeEventListener?.('online', online);
      await control.pause();
    },
  };
}

/** The local sync replica of the profile stored in database `dbName`. */
export const replicaNameOf = (dbName: string) => `${dbName}-sync`;

/** Destroys a deleted profile's sync replica (it lives outside the profile's database). */
export function destroyProfileReplica(dbName: string, replica?: Pick<PouchReplicaOptions, 'adapter' | 'plugins'>): Promise<void> {
  return destroyReplica(replicaNameOf(dbName), replica);
}
