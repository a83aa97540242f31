/**
 * The sync port over PouchDB: a local PouchDB (IndexedDB in browsers) holding only sealed
 * envelopes, replicating live with a CouchDB-compatible server through CouchDB's documented
 * replication protocol. PouchDB is loaded on first use, so a profile without sync never loads it.
 */
import { MemoryError } from '../sdk/errors';
import { documentId, open, seal } from './envelope';
import type { SyncKeys } from './keys';
import type { ReplicaChange, ReplicationEvents, SyncReplica } from './port';

export interface PouchReplicaOptions {
  /** Local database name (one per profile). */
  name: string;
  /** Server URL (the CouchDB root, e.g. `https://couch.example.org/`). */
  url: string;
  keys: SyncKeys;
  /** Sends the credentials derived from the sync key (a CouchDB with a per-database user). */
  auth?: boolean;
  /** PouchDB adapter of the local replica; default `indexeddb`. */
  adapter?: string;
  /** PouchDB plugins to register first, e.g. another adapter (Node tests: `pouchdb-adapter-memory`). */
  plugins?: unknown[];
}

/** The part of PouchDB this file uses. */
interface Doc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}
interface Emitter {
  on(event: string, listener: (info: never) => void): Emitter;
  cancel(): void;
}
interface Pouch {
  get(id: string): Promise<Doc>;
  put(doc: Doc): Promise<{ rev: string }>;
  allDocs(options: { keys: string[]; include_docs: true }): Promise<{ rows: { doc?: Doc | null }[] }>;
  changes(options: {
    since: string | number;
    include_docs?: boolean;
    live?: boolean;
    limit?: number;
  }): Emitter & Promise<{ results: { id: string; doc?: Doc }[]; last_seq: string | number }>;
  replicate: {
    to(remote: Pouch, options: Record<string, unknown>): Emitter;
    from(remote: Pouch, options: Record<string, unknown>): Emitter;
  };
  info(): Promise<{ db_name: string; update_seq: string | number }>;
  close(): Promise<void>;
  destroy(): Promise<void>;
}
type PouchConstructor = new (name: string, options?: Record<string, unknown>) => Pouch;

type PouchDBClass = PouchConstructor & { plugin(plugin: unknown): unknown; adapters: Record<string, unknown> };

let loading: Promise<PouchDBClass> | undefined;

async function loadPouch(adapter: string, plugins: unknown[]): Promise<PouchDBClass> {
  loading ??= (async () => {
    const [core, http, replication] = await Promise.all([
      import('pouchdb-core'),
      import('pouchdb-adapter-http'),
      import('pouchdb-replication'),
    ]);
    const PouchDB = core.default as PouchDBClass;
    PouchDB.plugin(http.default);
    PouchDB.plugin(replication.default);
    return PouchDB;
  })();
  const PouchDB = await loading;
  for (const plugin of plugins) PouchDB.plugin(plugin);
  if (adapter === 'indexeddb' && !('indexeddb' in PouchDB.adapters)) {
    PouchDB.plugin((await import('pouchdb-adapter-indexeddb')).default);
  }
  if (!(adapter in PouchDB.adapters)) throw new MemoryError('INTERNAL', `No PouchDB adapter ${adapter}`);
  return PouchDB;
}

const status = (error: unknown) => (error as { status?: number } | undefined)?.status;

export function syncFailure(error: unknown): MemoryError {
  if (error instanceof MemoryError) return error;
  const message = (error as { message?: string } | undefined)?.message ?? String(error);
  const code = status(error);
  return new MemoryError('SYNC_FAILED', `The sync server: ${code ? `${code} ` : ''}${message}`, {
    details: code ? { status: code } : {},
  });
}

export async function createPouchReplica(options: PouchReplicaOptions): Promise<SyncReplica> {
  const adapter = options.adapter ?? 'indexeddb';
  const PouchDB = await loadPouch(adapter, options.plugins ?? []);
  const local = new PouchDB(options.name, { adapter });
  const { keys } = options;
  const remoteUrl = new URL(keys.database, options.url.endsWith('/') ? options.url : `${options.url}/`).href;
  let replication: { cancel(): void } | undefined;
  let feed: Emitter | undefined;
  let events: ReplicationEvents | undefined;

  const current = (id: string) =>
    local.get(id).then(
      (doc) => doc._rev,
      (error: unknown) => {
        if (status(error) === 404) return undefined;
        throw error;
      },
    );

  const startReplication = () => {
    const remote = new PouchDB(remoteUrl, {
      adapter: 'http',
      ...(options.auth ? { auth: { username: keys.username, password: keys.password } } : {}),
    });
    // Replication asks the server for `info()` only for progress figures, and after each batch it
    // does so without handling a failure (pouchdb-replication 9): a connection lost at that moment
    // was an unhandled rejection. Without figures it goes on; its next request reports the loss.
    const info = remote.info.bind(remote);
    remote.info = () => info().catch(() => ({ db_name: keys.database, update_seq: 0 }));
    const replicationOptions = {
      live: true,
      retry: true,
      // Offline: try again soon (PouchDB's default backs off to ten minutes).
      back_off_function: (delay: number) => (delay === 0 ? 500 : Math.min(delay * 2, 5000)),
    };
    // One replication each way (PouchDB's two-way `sync` drops the error of a paused direction).
    const directions = {
      push: local.replicate.to(remote, replicationOptions),
      pull: local.replicate.from(remote, replicationOptions),
    };
    const paused = { push: false, pull: false };
    const failed: { push?: MemoryError; pull?: MemoryError } = {};
    const report = () => {
      const error = failed.push ?? failed.pull;
      if (error) events?.onPaused(error);
      else if (paused.push && paused.pull) events?.onPaused();
    };
    for (const direction of ['push', 'pull'] as const) {
      const fail = (error: unknown) => {
        paused[direction] = true;
        failed[direction] = syncFailure(error);
        report();
      };
      directions[direction]
        .on('change', (info: { docs: Doc[] }) =>
          events?.onTransfer(
            direction,
            info.docs.map((doc) => doc._id),
          ),
        )
        .on('paused', (error: unknown) => {
          if (error) return fail(error);
          paused[direction] = true;
          delete failed[direction];
          report();
        })
        .on('active', () => {
          paused[direction] = false;
          delete failed[direction];
          events?.onActive();
        })
        .on('requestError', fail)
        .on('denied', fail)
        .on('error', fail);
    }
    return {
      cancel: () => {
        directions.push.cancel();
        directions.pull.cancel();
      },
    };
  };

  const cancel = () => {
    replication?.cancel();
    feed?.cancel();
    replication = undefined;
    feed = undefined;
    events = undefined;
  };

  return {
    async put(name, body) {
      const id = await documentId(keys, name);
      for (let attempt = 0; ; attempt++) {
        const rev = await current(id);
        try {
          const doc: Doc = { ...(await seal(keys, id, body)) };
          if (rev) doc._rev = rev;
          await local.put(doc);
          return id;
        } catch (error) {
          // Another writer of this record (another tab of this device) moved it on: once more.
          if (status(error) !== 409 || attempt > 2) throw error;
        }
      }
    },
    async get(names) {
      const ids = await Promise.all(names.map((name) => documentId(keys, name)));
      const { rows } = await local.allDocs({ keys: ids, include_docs: true });
      return Promise.all(rows.map((row) => (row.doc ? open(keys, row.doc) : undefined)));
    },
    async changes(since) {
      const { results, last_seq } = await local.changes({ since: since ?? 0, include_docs: true });
      const changes: ReplicaChange[] = [];
      for (const result of results) {
        if (!result.doc || result.doc._deleted) continue;
        try {
          changes.push({ docId: result.id, body: await open(keys, result.doc) });
        } catch (error) {
          changes.push({ docId: result.id, error: error as MemoryError });
        }
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
      feed ??= local.changes({ since: 'now', live: true }).on('change', () => events?.onLocalChange());
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
