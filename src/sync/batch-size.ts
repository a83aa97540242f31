/**
 * How many documents replication moves per request, one policy per direction. On a good network
 * a batch is {@link BATCH_MAX} documents (a first sync of a large profile is several times faster
 * than in PouchDB's batches of 100). Where large requests fail, it shrinks: a server (or a reverse
 * proxy in front of it) that refuses a request as too large (413) halves it at once, down to a
 * single record, since that answer says exactly what is wrong; a network that loses requests
 * carrying a batch halves it once that happens {@link LOST_IN_ROW} times in a row, down to
 * {@link BATCH_MIN} (a loss may have other causes). Batches that go through make it grow back,
 * never to a size the server refused, and to a size the network lost only after a longer run of
 * successes. Pure logic: pouch-replica.ts feeds it what the requests met and restarts replication
 * with the size it gives.
 */

/** Documents per replication request on a good network (about 2.6 MB of sealed memories). */
export const BATCH_MAX = 2000;
/** The smallest batch a network that loses requests brings it to (a refusal as too large goes down to one record). */
export const BATCH_MIN = 25;
/** Requests carrying a batch lost in a row (connection cut) before the batch is halved. */
const LOST_IN_ROW = 2;
/** Batches gone through in a row before the batch doubles. */
const GROW_AFTER = 2;
/** Batches gone through in a row before it doubles to a size the network lost earlier. */
const PROBE_AFTER = 8;

export interface BatchSizeOptions {
  /** Documents per request on a good network; default {@link BATCH_MAX}. */
  max?: number;
  /** The floor for losses; default {@link BATCH_MIN}. */
  min?: number;
}

export interface BatchSize {
  /** Documents per request now. */
  readonly size: number;
  /**
   * The server refused a request of the current size as too large (413): `smaller` when the size
   * was halved, `floor` when it was one record already (that record is larger than the server takes).
   */
  refused(): 'smaller' | 'floor';
  /** A request carrying a batch was lost on the way (connection cut, answer cut). True when the size was halved. */
  lost(): boolean;
  /** A batch of `documents` went through. True when the size grew. */
  passed(documents: number): boolean;
}

export function createBatchSize(options: BatchSizeOptions = {}): BatchSize {
  const max = options.max ?? BATCH_MAX;
  const min = Math.min(options.min ?? BATCH_MIN, max);
  let size = max;
  /** The smallest size the server refused: never tried again (the limit is the server's setting). */
  let refusedAt = Infinity;
  /** The size at which requests were lost: tried again only after {@link PROBE_AFTER} batches went through. */
  let lostAt = Infinity;
  let lostInRow = 0;
  let passedInRow = 0;
  const halve = (floor: number) => {
    size = Math.max(floor, Math.floor(size / 2));
    lostInRow = 0;
    passedInRow = 0;
  };
  return {
    get size() {
      return size;
    },
    refused() {
      refusedAt = Math.min(refusedAt, size);
      if (size <= 1) return 'floor';
      halve(1);
      return 'smaller';
    },
    lost() {
      passedInRow = 0;
      if (++lostInRow < LOST_IN_ROW || size <= min) return false;
      lostAt = size;
      halve(min);
      return true;
    },
    passed(documents) {
      lostInRow = 0;
      // A batch well under the size (the last of an upload, a live change) says nothing about the size.
      if (documents * 2 < size) return false;
      passedInRow++;
      const next = Math.min(max, size * 2);
      if (next === size || next >= refusedAt) return false;
      if (passedInRow < (next >= lostAt ? PROBE_AFTER : GROW_AFTER)) return false;
      if (next >= lostAt) lostAt = Infinity;
      size = next;
      passedInRow = 0;
      return true;
    },
  };
}
