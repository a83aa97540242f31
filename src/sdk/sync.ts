/**
 * Sync across devices: the profile's records, sealed on this device (AES-GCM, opaque ids, padded
 * sizes), replicate through a CouchDB-compatible server that sees ids, revisions, sizes and timing
 * and nothing else. Another device joins with a pairing code that carries the sync key and server.
 */

export interface SyncEnableOptions {
  /** The server's root URL, e.g. `http://127.0.0.1:5984/` (`npm run sync-server`) or a CouchDB. */
  url: string;
  /**
   * Log in with the user name and password derived from the sync key (a CouchDB where that user
   * owns the profile's database; see README, "Sync"). Default false: no credentials (a local
   * pouchdb-server, or a CouchDB that allows the database to anyone).
   */
  auth?: boolean;
}

/** What sync is doing: `off` (not set up), `connecting`, `syncing`, `idle` (caught up), `offline` (retrying), `error`. */
export type SyncState = 'off' | 'connecting' | 'syncing' | 'idle' | 'offline' | 'error';

export interface SyncErrorInfo {
  at: number;
  /** A `MemoryError` code: `SYNC_FAILED` (server), `SYNC_ENVELOPE_INVALID` (a record that does not open). */
  code: string;
  message: string;
}

export interface SyncStatus {
  enabled: boolean;
  state: SyncState;
  /** The server, when enabled. */
  url?: string;
  /** This device's id among the profile's devices. */
  device?: string;
  /** When this device last had nothing left to send or receive. */
  lastSyncedAt?: number;
  /** Local changes not yet on the server. */
  pending: number;
  /** Changes from other devices written to this one since sync started here. */
  mergesApplied: number;
  /** The latest problems, newest first (at most 20). */
  errors: SyncErrorInfo[];
}

export interface SyncApi {
  /**
   * Sets up sync for this profile with a new sync key and starts it: every memory is sent, and
   * what other devices send comes in. Rejects with `INVALID_ARGUMENT` when sync is already on.
   */
  enable(options: SyncEnableOptions): Promise<SyncStatus>;
  /**
   * A code holding the sync key and the server, for another device's {@link SyncApi.join}.
   * Whoever has it can read this profile: show it only to its owner.
   */
  pairingCode(): Promise<string>;
  /**
   * Joins the profile another device syncs, from its pairing code: this device's memories are
   * merged with the profile's. A malformed code rejects with `INVALID_ARGUMENT`; records that do
   * not open with its key are reported as `SYNC_ENVELOPE_INVALID` errors and nothing of them is written.
   */
  join(code: string): Promise<SyncStatus>;
  status(): Promise<SyncStatus>;
  /** Stops sync and deletes this device's sealed copy; the memories stay here and on the server. */
  disable(): Promise<SyncStatus>;
}
