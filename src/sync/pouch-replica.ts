/**
 * The sync port over PouchDB: a local PouchDB (IndexedDB in browsers) holding only sealed
 * envelopes, replicating live with a CouchDB-compatible server through CouchDB's documented
 * replication protocol. PouchDB is loaded on first use, so a profile without sync never loads it.
 */
import type { MemoryError } from '../sdk/errors';
import { createBatchSize, type BatchSizeOptions } from './batch-size';
import { BoundedCache } from './bounded-cache';
import { documentId, open, seal } from './envelope';
import type { ReplicaChange, ReplicationEvents, SyncReplica } from './port';
import { loadPouch, type Doc, type Emitter, type Pouch } from './pouch-load';
import { remoteDatabase, status, syncFailure, type RemoteOptions } from './remote';
import { left } from './sync-progress';

export { loadPouch, type Doc, type Pouch, type PouchDBClass } from './pouch-load';
export { checkRemote, remoteDatabase, syncFailure, type RemoteOptions } from './remote';

type Direction = 'push' | 'pull';

export interface PouchReplicaOptions extends RemoteOptions {
  /** Local database name (one per profile). */
  name: string;
  /** PouchDB adapter of the local replica; default `indexeddb`. */
  adapter?: string;
  /** PouchDB plugins to register first, e.g. another adapter (Node tests: `pouchdb-adapter-memory`). */
  plugins?: unknown[];
  /** Documents per replication request: most and fewest (batch-size.ts; defaults 2,000 and 25). */
  batchSize?: BatchSizeOptions;
}

/** A push the server refuses as too large even in the smallest batch is tried again this much later (or on a kick). */
const REFUSED_RETRY = 600_000;
/** Envelopes opened (or sealed) at once. */
const OPEN_AT_ONCE = 256;
/** Document ids kept (about 100 bytes each). */
const ID_CACHE = 50_000;
/** Opened bodies kept (a memory's is about 400 bytes of JSON). */
const BODY_CACHE = 25_000;

/**
 * Destroys the local replica `name` whether or not sync runs (disabled while locked, the profile
 * deleted). With IndexedDB, PouchDB is loaded only when the replica's database exists.
 */
export async function destroyReplica(
  name: string,
  options: Pick<PouchReplicaOptions, 'adapter' | 'plugins'> = {},
): Promise<void> {
  const adapter = options.adapter ?? 'indexeddb';
  if (adapter === 'indexeddb') {
    const databases = (await globalThis.indexedDB?.databases?.()) ?? [];
    if (!databases.some((database) => database.name === `_pouch_${name}`)) return;
  }
  const PouchDB = await loadPouch(adapter, options.plugins ?? []);
  await new PouchDB(name, { adapter }).destroy();
}

export async function createPouchReplica(options: PouchReplicaOptions): Promise<SyncReplica> {
  const adapter = options.adapter ?? 'indexeddb';
  const PouchDB = await loadPouch(adapter, options.plugins ?? []);
  const local = new PouchDB(options.name, { adapter });
  const { keys } = options;
  let replication: { cancel(): void } | undefined;
  let feed: Emitter | undefined;
  let events: ReplicationEvents | undefined;

  // Names → document ids (an HMAC each), and opened bodies by revision (AES-GCM each): a pull reads
  // a record in the changes feed and again beside the other devices' versions, so each is worked
  // out once. Both are bounded; a body is kept as its JSON text, so every reader gets its own copy.
  const ids = new BoundedCache<string, string>(ID_CACHE);
  const opened = new BoundedCache<string, string>(BODY_CACHE);
  const idOf = async (name: string) => {
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = await documentId(keys, name)));
    return id;
  };
  /** Envelopes being opened: the memory and the record sync read each change at the same time. */
  const opening = new Map<string, Promise<string>>();
  const openDoc = async (doc: Doc) => {
    const at = `${doc._id}@${doc._rev}`;
    const text = opened.get(at);
    if (text !== undefined) return JSON.parse(text) as unknown;
    if (!doc._rev) return open(keys, doc);
    let once = opening.get(at);
    if (!once) {
      once = open(keys, doc).then((body) => JSON.stringify(body));
      opening.set(at, once);
      void once
        .then(
          (json) => opened.set(at, json),
          () => undefined,
        )
        .finally(() => opening.delete(at));
    }
    return JSON.parse(await once) as unknown;
  };
  /**
   * Revisions this replica wrote itself (bounded): the changes they make are no news to this
   * replica's readers; only what replication (or another tab) writes is.
   */
  const ownWrites = new BoundedCache<string, true>(ID_CACHE);
  const wrote = (id: string, rev: string, body: object) => {
    opened.set(`${id}@${rev}`, JSON.stringify(body));
    ownWrites.set(`${id}@${rev}`, true);
  };

  const current = (id: string) =>
    local.get(id).then(
      (doc) => doc._rev,
      (error: unknown) => {
        if (status(error) === 404) return undefined;
        throw error;
      },
    );

  // A refused login (401, 403) ends PouchDB's replication for good, unlike every other failure:
  // with `auth` that is a server whose admin has not made this profile's user yet, so it is
  // started again later (backing off to 30 s) and resumes once the admin has.
  let refusedDelay = 0;
  let refusedTimer: ReturnType<typeof setTimeout> | undefined;
  const restartLater = () => {
    if (refusedTimer || !replication) return;
    refusedDelay = Math.min(refusedDelay * 2 || 1000, 30_000);
    refusedTimer = setTimeout(() => {
      refusedTimer = undefined;
      replication?.cancel();
      if (replication) replication = startReplication();
    }, refusedDelay);
  };

  const put = async (name: string, body: object): Promise<string> => {
    const id = await idOf(name);
    for (let attempt = 0; ; attempt++) {
      const rev = await current(id);
      try {
        const doc: Doc = { ...(await seal(keys, id, body)) };
        if (rev) doc._rev = rev;
        const written = await local.put(doc);
        wrote(id, written.rev, body);
        return id;
      } catch (error) {
        // Another writer of this record (another tab of this device) moved it on: once more.
        if (status(error) !== 409 || attempt > 2) throw error;
      }
    }
  };

  // Documents per request, each direction on its own (batch-size.ts), kept across restarts.
  const batches = { push: createBatchSize(options.batchSize), pull: createBatchSize(options.batchSize) };

  const startReplication = () => {
    // What the requests carrying a batch met (remote.ts): a size that changed restarts that direction
    // at once with the new one, its failure not shown; a refusal of a single record is shown.
    const resized = { push: false, pull: false };
    const atFloor = { push: false, pull: false };
    // With `auth` the database is the admin's to create (a per-database user may not).
    const remote = remoteDatabase(PouchDB, options, !options.auth, {
      refused: () => {
        if (batches.push.refused() === 'floor') atFloor.push = true;
        else resized.push = true;
      },
      lost: (direction) => {
        if (batches[direction].lost()) resized[direction] = true;
      },
    });
    // After each batch it pulls, PouchDB's replicator asks the source for its info, only for its
    // progress figures, and does not handle a failure there (pouchdb-replication: `src.info().then`
    // without a catch): a connection cut or reset at that moment became an unhandled rejection.
    // Nothing else of ours asks the server for info, so a failed info answers with the last one
    // known; the replicator's next request meets the same failure and reports it (handled below).
    const info = remote.info.bind(remote);
    let lastInfo: Awaited<ReturnType<Pouch['info']>> = { update_seq: 0 };
    remote.info = () =>
      info().then(
        (fresh) => (lastInfo = fresh),
        () => lastInfo,
      );
    // Known before the first batch lands (what is left to pull, below). PouchDB decides once per server
    // and process whether it has `_bulk_get`, from its first answer there: a first download's first
    // answer cut midway would have it fetch every document on its own from then on. So once the server
    // answered, it is asked for a record no profile has (an empty list is refused and leaves PouchDB
    // waiting), long before a pull's first batch (a server without `_bulk_get` is still read one by one).
    void info()
      .then((fresh) => (lastInfo = fresh))
      .then(() => remote.bulkGet({ docs: [{ id: 'mneme-none' }] }))
      .catch(() => undefined);
    const replicationOptions = (direction: Direction, replaced: () => boolean) => ({
      live: true,
      retry: true,
      // Documents per request (PouchDB's default is 100): the server's cost is mostly per request,
      // so a first sync of a large profile is several times faster (10,000 documents from
      // pouchdb-server into Node: 16 s in batches of 100, 8.5 s of 500, 6.8 s of 2,000).
      batch_size: batches[direction].size,
      // Offline: try again soon (PouchDB's default backs off to ten minutes). A replication this
      // replica stopped (a new batch size, a refused push tried again) ends at once instead: PouchDB
      // finishes a cancelled one only when its back-off runs out, holding its listeners and batch.
      back_off_function: (delay: number) => (replaced() ? 0 : delay === 0 ? 500 : Math.min(delay * 2, 5000)),
    });
    // One replication each way (PouchDB's two-way `sync` drops the error of a paused direction).
    const directions: { push?: Emitter | undefined; pull?: Emitter | undefined } = {};
    const paused = { push: false, pull: false };
    const failed: { push?: MemoryError; pull?: MemoryError } = {};
    const report = () => {
      const error = failed.push ?? failed.pull;
      if (error) events?.onPaused(error);
      else if (paused.push && paused.pull) events?.onPaused();
    };
    const fail = (direction: Direction, error: unknown) => {
      paused[direction] = true;
      failed[direction] = syncFailure(error);
      report();
    };
    // A direction is stopped and started again (after `delay`) for a new batch size, and the push
    // after a failure when there is `mayPush`: sending starts only once it agrees (a database a
    // removal retired gets nothing more from a device that was offline meanwhile), so a push that
    // failed goes through it again rather than being resumed by PouchDB on its own.
    let stopped = false;
    const timers: Partial<Record<Direction, ReturnType<typeof setTimeout> | undefined>> = {};
    let pushDelay = 0;
    const restart = (direction: Direction, delay: number, ask: boolean) => {
      if (stopped || timers[direction]) return;
      directions[direction]?.cancel();
      directions[direction] = undefined;
      timers[direction] = setTimeout(() => void begin(direction, ask), delay);
    };
    const begin = async (direction: Direction, ask: boolean) => {
      timers[direction] = undefined;
      try {
        if (direction === 'push' && ask && events?.mayPush && !(await events.mayPush())) return;
      } catch (error) {
        return failedWith('push', error);
      }
      if (stopped) return;
      // Asked only once PouchDB backs off, long after `replicating` is set.
      const options = replicationOptions(direction, () => stopped || directions[direction] !== replicating);
      const replicating = direction === 'push' ? local.replicate.to(remote, options) : local.replicate.from(remote, options);
      directions[direction] = wire(direction, replicating);
    };
    const failedWith = (direction: Direction, error: unknown) => {
      if (resized[direction]) {
        resized[direction] = false;
        return restart(direction, 0, true);
      }
      fail(direction, error);
      if (atFloor[direction]) {
        // Refused even in the smallest batch (a record larger than the server takes): no loop of refusals.
        atFloor[direction] = false;
        return restart(direction, REFUSED_RETRY, true);
      }
      if (direction === 'pull' || !events?.mayPush) return; // PouchDB tries again on its own
      pushDelay = Math.min(pushDelay * 2 || 500, 5000);
      restart('push', pushDelay, true);
    };
    /** A batch size that grew is taken up at the next checkpoint (the batch before it is on record). */
    const grown = { push: false, pull: false };
    const wire = (direction: Direction, replicating: Emitter) =>
      replicating
        .on('change', (info: { docs: Doc[]; last_seq?: string | number; pending?: number }) => {
          refusedDelay = 0;
          if (direction === 'push') pushDelay = 0;
          if (batches[direction].passed(info.docs.length)) grown[direction] = true;
          events?.onTransfer(
            direction,
            info.docs.map((doc) => doc._id),
            direction === 'pull' ? left(info, lastInfo) : undefined,
          );
        })
        .on('checkpoint', (info: { checkpoint?: unknown }) => {
          if (!('checkpoint' in info) || !grown[direction]) return;
          grown[direction] = false;
          restart(direction, 0, false);
        })
        .on('paused', (error: unknown) => {
          if (error) return failedWith(direction, error);
          paused[direction] = true;
          delete failed[direction];
          report();
        })
        .on('active', () => {
          paused[direction] = false;
          delete failed[direction];
          events?.onActive();
        })
        .on('requestError', (error: unknown) => failedWith(direction, error))
        .on('denied', (error: unknown) => fail(direction, error))
        .on('error', (error: unknown) => {
          fail(direction, error);
          if (status(error) === 401 || status(error) === 403) restartLater();
        });
    void begin('pull', false);
    void begin('push', true);
    return {
      cancel: () => {
        stopped = true;
        clearTimeout(timers.push);
        clearTimeout(timers.pull);
        directions.push?.cancel();
        directions.pull?.cancel();
      },
    };
  };

  const cancel = () => {
    clearTimeout(refusedTimer);
    refusedTimer = undefined;
    replication?.cancel();
    feed?.cancel();
    replication = undefined;
    feed = undefined;
    events = undefined;
  };

  return {
    put,
    async putMany(records) {
      const docIds = await Promise.all(records.map((record) => idOf(record.name)));
      // The revisions to replace, one read for all; then sealed many at a time and stored in one write.
      const { rows } = await local.allDocs({ keys: docIds, include_docs: false });
      const docs: Doc[] = [];
      for (let start = 0; start < records.length; start += OPEN_AT_ONCE) {
        const sealed = await Promise.all(
          records.slice(start, start + OPEN_AT_ONCE).map((record, i) => seal(keys, docIds[start + i]!, record.body)),
        );
        sealed.forEach((doc, i) => {
          const rev = rows[start + i]?.value?.rev;
          docs.push(rev ? { ...doc, _rev: rev } : { ...doc });
        });
      }
      const results = await local.bulkDocs(docs);
      const again: number[] = [];
      results.forEach((result, i) => {
        if (result.ok) wrote(docIds[i]!, result.rev!, records[i]!.body);
        else if (result.status === 409) again.push(i);
        else throw syncFailure(result);
      });
      // Another writer of these records (another tab of this device) moved them on: one at a time.
      for (const i of again) await put(records[i]!.name, records[i]!.body);
      return docIds;
    },
    async get(names) {
      const wanted = await Promise.all(names.map(idOf));
      const { rows } = await local.allDocs({ keys: wanted, include_docs: true });
      return Promise.all(rows.map((row) => (row.doc ? openDoc(row.doc) : undefined)));
    },
    async changes(since) {
      const { results, last_seq } = await local.changes({ since: since ?? 0, include_docs: true });
      const docs = results.flatMap((result) => (result.doc && !result.doc._deleted ? [result.doc] : []));
      const changes: ReplicaChange[] = [];
      // Opened many at a time (WebCrypto works off the main thread), reported in the feed's order.
      for (let start = 0; start < docs.length; start += OPEN_AT_ONCE) {
        const batch = docs.slice(start, start + OPEN_AT_ONCE);
        const bodies = await Promise.allSettled(batch.map(openDoc));
        bodies.forEach((body, i) =>
          changes.push(
            body.status === 'fulfilled'
              ? { docId: batch[i]!._id, body: body.value }
              : { docId: batch[i]!._id, error: body.reason as MemoryError },
          ),
        );
      }
      return { changes, last: last_seq };
    },
    async readLocal<T>(key: string) {
      const doc = await local.get(`_local/mneme-${key}`).catch(() => undefined);
      return doc?.value as T | undefined;
    },
    async writeLocal(key, value) {
      const id = `_local/mneme-${key}`;
      const rev = await current(id);
      await local.put({ _id: id, ...(rev ? { _rev: rev } : {}), value });
    },
    start(handlers) {
      events = handlers;
      feed ??= local.changes({ since: 'now', live: true }).on('change', (change: { id: string; changes: { rev: string }[] }) => {
        if (change.changes.some(({ rev }) => !ownWrites.get(`${change.id}@${rev}`))) events?.onLocalChange();
      });
      replication ??= startReplication();
    },
    kick() {
      if (!replication) return;
      replication.cancel();
      replication = startReplication();
    },
    async stop() {
      cancel();
      // The next start opens the replica again: no second handle on the same database meanwhile.
      await local.close();
    },
    async destroy() {
      cancel();
      await local.destroy();
    },
  };
}
