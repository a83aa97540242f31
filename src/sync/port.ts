/**
 * The sync port: what the sync engine needs from a replica of the profile's sealed records, so the
 * engine never sees PouchDB, HTTP or ciphertext. src/sync/pouch-replica.ts implements it over
 * PouchDB (local) replicating with a CouchDB server; records go in and come out opened.
 */
import type { MemoryError } from '../sdk/errors';

/** A position in the local replica's changes. */
export type ReplicaPosition = string | number;

/** One changed record, opened, or the reason it did not open. */
export type ReplicaChange = { docId: string; body: unknown } | { docId: string; error: MemoryError };

/** What replication with the server reports. */
export interface ReplicationEvents {
  /**
   * Documents moved (`direction`), `docIds` being the ids pushed or pulled; after a pull, how many
   * documents the server still has to send (`remaining`: exact when the server says, else an
   * estimate from its update sequence; undefined when unknown).
   */
  onTransfer(direction: 'push' | 'pull', docIds: string[], remaining?: number): void;
  /** Replication caught up and waits for more (`error` when it waits because the server is unreachable). */
  onPaused(error?: MemoryError): void;
  /** Replication resumed work. */
  onActive(): void;
  /**
   * A record changed in the local replica: one replication brought, or another writer's (another
   * tab of this device). This replica's own writes through {@link SyncReplica.put} are not reported.
   */
  onLocalChange(): void;
  /**
   * Asked before sending starts, and each time it resumes after a failure (offline, refused): false
   * keeps this device's changes here (the server's database was retired by a removal); a rejection
   * counts as a failure (tried again later).
   */
  mayPush?(): Promise<boolean>;
}

export interface SyncReplica {
  /** Writes (creates or replaces) the record named `name`; it is sealed before it is stored. */
  put(name: string, body: object): Promise<string>;
  /**
   * Writes many records at once (sealed in parallel, stored in one write): what a first upload or a
   * large local change uses. Resolves with their document ids, in order.
   */
  putMany(records: readonly { name: string; body: object }[]): Promise<string[]>;
  /** The opened records of these names (undefined when absent); a record that does not open rejects. */
  get(names: readonly string[]): Promise<(unknown | undefined)[]>;
  /**
   * Records changed after `since` (a position from an earlier call, kept as it was given: the local
   * adapter's sequence, a number for IndexedDB; undefined: from the start), opened.
   */
  changes(since: ReplicaPosition | undefined): Promise<{ changes: ReplicaChange[]; last: ReplicaPosition }>;
  /** Unreplicated state of this device (its clock, its position in the changes), kept with the replica. */
  readLocal<T>(key: string): Promise<T | undefined>;
  writeLocal(key: string, value: unknown): Promise<void>;
  /** Starts live replication with the server (retrying while it is unreachable). */
  start(events: ReplicationEvents): void;
  /** Restarts a paused replication at once (the device came online, the app got focus). */
  kick(): void;
  /** Stops replication and closes the local replica (it stays stored; this object is done). */
  stop(): Promise<void>;
  /** Stops and deletes the local replica (the server keeps its copy). */
  destroy(): Promise<void>;
}
