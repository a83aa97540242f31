/** The public types of `client.maintenance`: the consistency check and repair of a profile. */

/**
 * What `maintenance.verify()` looks for. Each names one way stored records, vectors and the
 * in-memory search indexes can disagree:
 * - `unreadable-record`: a stored record that does not decode (damaged bytes, or sealed under a
 *   key this profile no longer has). Its content is gone: removed (audited) only with `removeUnreadable`.
 * - `invalid-memory`: a memory that decodes but breaks the rules (no text, unknown kind, bad
 *   numbers). Not repairable: there is no right value to put back.
 * - `missing-vector`: a memory marked as embedded by a model that has no vector for it. Repaired:
 *   the memory is embedded again.
 * - `orphan-vector`: a stored vector whose memory is gone, or was re-embedded by another model.
 *   Repaired: the vector is removed.
 * - `duplicate-vector`: one memory in two vector slots of a model. Repaired: one slot is kept.
 * - `corrupt-vector-chunk`: a block of vectors whose bytes do not match its size. Repaired: the
 *   block is dropped and its memories are embedded again.
 * - `orphan-record`: a turn or summary whose conversation is gone. Repaired: it is removed.
 * - `index-out-of-date`: the search indexes this client holds differ from storage (a memory
 *   missing, extra or stale; a vector or keyword entry missing or extra). Repaired: the indexes
 *   are rebuilt from storage.
 */
export type VerifyCheck =
  | 'unreadable-record'
  /** An encrypted profile holds a record that was never sealed (planted, or written in clear by mistake): it is never read. */
  | 'unsealed-record'
  /** An encrypted profile lost its key envelope: it cannot be unlocked again once locked. */
  | 'missing-envelope'
  | 'invalid-memory'
  | 'missing-vector'
  | 'orphan-vector'
  | 'duplicate-vector'
  | 'corrupt-vector-chunk'
  | 'orphan-record'
  | 'index-out-of-date';

export interface VerifyProblem {
  check: VerifyCheck;
  /** The table the problem is in: `memories`, `vectorChunks`, `turns`, … or `index`. */
  where: string;
  /** The ids concerned (memory ids, record ids, or `model/chunk` for a vector block); at most 100. */
  ids: string[];
  /** How many records are concerned (ids may be cut short). */
  count: number;
  /** A sentence for people, e.g. "3 vectors of model X belong to no memory". */
  detail: string;
  /** Whether this problem was repaired by this call. */
  repaired: boolean;
}

export interface VerifyReport {
  /** Nothing was wrong. */
  ok: boolean;
  /** Nothing is left wrong: every problem found was repaired (true when `ok`). */
  healthy: boolean;
  /** What was read. */
  checked: { memories: number; vectors: number; records: number };
  problems: VerifyProblem[];
  /** When the check ran (epoch ms). */
  at: number;
}

export interface VerifyOptions {
  /** Repair what can be rebuilt (default true). With false the check only reports. */
  repair?: boolean;
  /**
   * Also remove the records that cannot be read (`unreadable-record`, `unsealed-record`: damaged,
   * or planted unsealed), each with an audit entry (action `delete`, actor `user`). Their content
   * is lost either way; removing them lets a whole-profile rewrite that refused them
   * (`UNREADABLE_RECORDS`: encryption on or off, a new passphrase or key) go through. Default false.
   */
  removeUnreadable?: boolean;
}
