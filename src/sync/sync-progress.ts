/**
 * How far the transfers of a running sync have come (status `progress`), in records. Upload: of
 * the records this device has to send since it last had nothing pending, those sealed and on the
 * server. Download: of the records the server has to send, those received and merged here: a
 * record pulled in counts once every sync reading the replica (memories, other records) has merged
 * it, so the figure follows the merge as it keeps pace with the transfer, not the transfer alone.
 */
import type { SyncProgress } from '../sdk/sync';
import type { SyncReplica } from './port';

/**
 * The replica, noting in `unsent` the documents each write leaves to push (replication removes
 * them as they go out); `written` is told after each write (a large upload's progress).
 */
export function trackUnsent(replica: SyncReplica, unsent: Set<string>, written: () => void): SyncReplica {
  return {
    ...replica,
    put: async (name, body) => {
      const id = await replica.put(name, body);
      unsent.add(id);
      return id;
    },
    putMany: async (records) => {
      const ids = await replica.putMany(records);
      ids.forEach((id) => unsent.add(id));
      written();
      return ids;
    },
  };
}

export class TransferProgress {
  /** What there was to send since the upload began: its total. */
  #uploadTotal = 0;
  /** What was left to send at the last report. */
  #lastPending = 0;
  /** Documents pulled in, by id: how many of the readers have still to merge each. */
  readonly #arriving = new Map<string, number>();
  /** Documents pulled in since the download began. */
  #received = 0;
  /** What the server said it still had to send after the last batch. */
  #remaining = 0;

  /**
   * @param readers How many syncs read each document the replica receives.
   * @param report Told when the figures moved without a status change of the sync (a merge).
   */
  constructor(
    readonly readers: number,
    readonly report: () => void,
  ) {}

  /** A batch was pulled in (`remaining`: what the server still has to send, when known). */
  pulled(docIds: readonly string[], remaining: number | undefined): void {
    for (const id of docIds) {
      if (!this.#arriving.has(id)) this.#received++;
      this.#arriving.set(id, this.readers);
    }
    if (remaining !== undefined) this.#remaining = remaining;
  }

  /** One reader merged these documents. */
  merged(docIds: readonly string[]): void {
    for (const id of docIds) {
      const left = this.#arriving.get(id);
      if (left === undefined) continue;
      if (left > 1) this.#arriving.set(id, left - 1);
      else this.#arriving.delete(id);
    }
    this.report();
  }

  /**
   * Replication caught up: the server has nothing more to send. Once `merging` is done and
   * replication is still caught up (`still`), the download is over (the next counts from zero).
   */
  caughtUp(merging: Promise<unknown>, still: () => boolean): void {
    this.#remaining = 0;
    void merging.then(() => {
      if (!still()) return; // more is coming in
      this.#arriving.clear();
      this.#received = 0;
      this.report();
    });
  }

  /** The transfers under way, given what is left to send (`pending` of the status). */
  transfers(pending: number): SyncProgress[] {
    const transfers: SyncProgress[] = [];
    // More to send while it works: the total grows by as much (what was sent stays counted).
    if (pending > this.#lastPending) this.#uploadTotal += pending - this.#lastPending;
    this.#lastPending = pending;
    if (pending > 0) transfers.push({ phase: 'upload', loaded: this.#uploadTotal - pending, total: this.#uploadTotal });
    else this.#uploadTotal = 0;
    if (this.#arriving.size > 0 || this.#remaining > 0) {
      const loaded = this.#received - this.#arriving.size;
      transfers.push({ phase: 'download', loaded, total: this.#received + this.#remaining });
    } else this.#received = 0;
    return transfers;
  }
}

/** The number a CouchDB sequence starts with (`"1234-g1AAA…"`, or a number in PouchDB). */
const seqNumber = (seq: string | number | undefined) => (typeof seq === 'number' ? seq : parseInt(seq ?? '', 10));

/**
 * Documents the server still has to send after a pulled batch: CouchDB says (`pending`); else the
 * distance from the batch's sequence to the server's latest (counts every update: an upper bound).
 */
export function left(batch: { last_seq?: string | number; pending?: number }, server: { update_seq: string | number }) {
  if (typeof batch.pending === 'number') return batch.pending;
  const distance = seqNumber(server.update_seq) - seqNumber(batch.last_seq);
  return Number.isFinite(distance) ? Math.max(0, distance) : undefined;
}
