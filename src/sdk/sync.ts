/**
 * Sync across devices: the profile's records, sealed on this device (AES-GCM, opaque ids, padded
 * sizes), replicate through a CouchDB-compatible server that sees ids, revisions, sizes and timing
 * and nothing else. Another device joins with a pairing code that carries the sync key and server,
 * or with the recovery phrase (the sync key as words) and the server's address.
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

/**
 * What sync is doing: `off` (not set up), `connecting`, `syncing`, `idle` (caught up), `offline`
 * (retrying), `error`, `moving` (the sync key changed: this device moves to the new one), `removed`
 * (another device removed this one: sync stays off until it joins again).
 */
export type SyncState = 'off' | 'connecting' | 'syncing' | 'idle' | 'offline' | 'error' | 'moving' | 'removed';

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
  /**
   * When the sync key last changed (a device was removed): the recovery phrase and pairing codes
   * from before no longer work; {@link SyncApi.recoveryPhrase} gives the new phrase.
   */
  keyChangedAt?: number;
  /** Set when another device removed this one from sync (state `removed`): when, and by which device. */
  removed?: { at: number; by: string };
  /**
   * Set while a server that needs a login (`auth`) refuses this profile's (state `error`, error
   * `SYNC_SERVER_SETUP_NEEDED`): its admin must create this user and database first, as after
   * `enable` or after a device removal (a new key means a new user and database). Local changes
   * are kept meanwhile (`pending`) and sent once the server lets this device in.
   */
  serverSetup?: SyncServerSetup;
  /**
   * Transfers under way (a first upload, a new device's first download, catching up after a long
   * time offline), one per direction; absent when there is none. See {@link SyncProgress}.
   */
  progress?: SyncProgress[];
}

/**
 * How far one direction of sync has come, in records. `upload`: records sealed and on the server
 * (`loaded`) of those this device has to send (`total`, which grows when more changes come while
 * it works). `download`: records received and merged into this device of those the server has to
 * send; `total` is the server's own count when it gives one (CouchDB), else estimated from its
 * update sequence (an upper bound that settles as the transfer ends).
 */
export interface SyncProgress {
  phase: 'upload' | 'download';
  loaded: number;
  total: number;
}

/** What a server admin must create before this device can sync (see {@link SyncStatus.serverSetup}). */
export interface SyncServerSetup {
  /** The database to create. */
  database: string;
  /** The user to create and make a member of that database (its password: {@link SyncApi.serverAccount}). */
  username: string;
  /** The server's answer: 401 (no such user yet), 403 (not a member of the database), 404 (no database yet). */
  status: number;
  /** Since when sync waits for it. */
  since: number;
}

/**
 * The server account of this profile's current sync key: a CouchDB with a per-database user
 * (`auth`) needs its admin to create the user `username` with `password` and the database
 * `database` with that user as its only member. Derived from the sync key: it changes with it.
 */
export interface SyncServerAccount {
  url: string;
  database: string;
  username: string;
  password: string;
}

/** One device that syncs this profile (see {@link SyncApi.devices}). */
export interface SyncDevice {
  id: string;
  /** A name the user can change; by default the browser and system, e.g. "Chrome on Linux". */
  name: string;
  /** When it set sync up or joined. */
  joinedAt: number;
  /** When it last synced, to the hour (the server learns no more than it does from timing). */
  lastSeenAt: number;
  /** This device. */
  current: boolean;
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
   * The profile's recovery phrase: its sync key as 24 BIP39 words (English). With the server's
   * address it lets a new device join, even when every other device is lost. Whoever has it can
   * read this profile: show it only to its owner.
   */
  recoveryPhrase(): Promise<string>;
  /**
   * Joins the profile another device syncs, from its pairing code or its recovery phrase: this
   * device's memories are merged with the profile's. A pairing code carries the server; with a
   * phrase, `server` gives it (its `url`, required, and `auth`) and the server is asked first,
   * reading only, whether it holds a profile the phrase opens.
   *
   * Rejects, writing nothing, with `INVALID_ARGUMENT` for a malformed code or phrase
   * (`details.reason`: `length`, `unknown-word` with `details.positions`, `checksum`, `no-server`)
   * or a phrase no profile on that server syncs with (`no-profile`); with `SYNC_ENVELOPE_INVALID`
   * when the server's records do not open with the phrase's key; with `SYNC_FAILED` when the
   * server cannot be reached to check a phrase. Records arriving later that do not open are
   * reported as `SYNC_ENVELOPE_INVALID` errors in {@link SyncStatus.errors}, and nothing of them is written.
   */
  join(codeOrPhrase: string, server?: SyncEnableOptions): Promise<SyncStatus>;
  status(): Promise<SyncStatus>;
  /**
   * The devices that sync this profile, this one first, then by when they joined. Each device
   * publishes a sealed record of itself; a device that has not synced since another joined may
   * not be listed there yet. Empty while sync is off.
   */
  devices(): Promise<SyncDevice[]>;
  /** Renames a device (any of them; 1 to 60 characters). Rejects with `INVALID_ARGUMENT` for an unknown device or name. */
  renameDevice(id: string, name: string): Promise<SyncDevice[]>;
  /**
   * Removes another device from sync: a new sync key is made and given (wrapped for each one's
   * own key) to the remaining devices only, everything is sealed again under it into a new server
   * database, and the old database is emptied. The removed device can read nothing written
   * afterwards; its own memories stay on it. The recovery phrase changes with the key.
   * Remaining devices move over on their next sync by themselves. If this device closes midway,
   * the removal finishes at the next start. Rejects with `INVALID_ARGUMENT` for this device
   * (use {@link SyncApi.disable}) or an unknown one, and with `SYNC_FAILED` when the server cannot
   * be reached (the removal then finishes when it can).
   */
  removeDevice(id: string): Promise<SyncDevice[]>;
  /**
   * The server user and database this profile's sync key derives, for the admin of a server that
   * needs a login (see {@link SyncServerAccount}). Whoever has it can read and write the profile's
   * sealed records on the server (not open them). Rejects with `INVALID_ARGUMENT` while sync is off.
   */
  serverAccount(): Promise<SyncServerAccount>;
  /** Stops sync and deletes this device's sealed copy; the memories stay here and on the server. */
  disable(): Promise<SyncStatus>;
}
