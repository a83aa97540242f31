/** The public contract: export, import and the browser's storage (re-exported by types.ts). */

/** What an import wrote. */
export interface ImportReport {
  mode: 'merge' | 'replace';
  /** Memories in the file. */
  memories: number;
  /** Of those, memories this profile did not hold (by id). */
  added: number;
  /** Memories the profile held already, exactly as the file has them: nothing changed. */
  unchanged: number;
  /** Memories the profile held with other content (text, kind, weights, pin, validity): the file's version replaced them. */
  updated: number;
  /** Vectors taken over as they were (same embedding model as this client). */
  vectors: number;
  /** Memories whose vectors came from another model (or none): re-embedded in the background. */
  needReembedding: number;
  /** Rows per memory-layer table (turns, summaries, archive, audit, …). */
  tables: Record<string, number>;
}

export interface ExportOptions {
  /**
   * Seal the file with this passphrase (AES-GCM, PBKDF2-SHA-256 600,000 iterations). It must be as
   * strong as a profile's (`WEAK_PASSPHRASE` otherwise): the file can be attacked offline.
   */
  passphrase?: string;
  /**
   * Export an encrypted profile in clear, readable by anyone who gets the file. Without it (and
   * without `passphrase`) exporting an encrypted profile rejects with `PASSPHRASE_REQUIRED`, so
   * plaintext only ever leaves an encrypted profile on purpose. Not needed for a plain profile.
   */
  plaintext?: boolean;
}

/** How `profiles.delete` may remove an encrypted profile (a plain profile needs neither). */
export interface ProfileDeleteOptions {
  /** The profile's passphrase: checked (`WRONG_PASSPHRASE`) before anything is deleted. */
  passphrase?: string;
  /**
   * "I forgot the passphrase: destroy it." Deletes an encrypted profile without its passphrase;
   * its data could not be read anyway. Without this or `passphrase`, deleting an encrypted profile
   * rejects with `PASSPHRASE_REQUIRED`. A host should ask the person to confirm (the app has them
   * type the profile's name).
   */
  forgotPassphrase?: boolean;
}

export interface ImportOptions {
  /** `merge` (default) keeps this profile's memories; `replace` empties the profile first. */
  mode?: 'merge' | 'replace';
  /** The passphrase of a sealed export. */
  passphrase?: string;
  signal?: AbortSignal;
}

/** How much this origin stores and whether the browser may evict it under pressure. */
export interface StorageInfo {
  /** Bytes used by this origin (all profiles, caches and models), when the browser says. */
  usage?: number;
  /** Bytes this origin may use, when the browser says. */
  quota?: number;
  /** True when the browser promised not to evict the data (`navigator.storage.persist()`). */
  persisted: boolean;
}
