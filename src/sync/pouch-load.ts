/**
 * PouchDB as the sync uses it: the part of its API it calls, and loading it on first use (core,
 * HTTP adapter, replication, and the local adapter asked for), so a profile without sync never
 * loads it.
 */
import { MemoryError } from '../sdk/errors';

/** The part of PouchDB the sync uses. */
export interface Doc {
  _id: string;
  _rev?: string;
  [field: string]: unknown;
}
export interface Emitter {
  on(event: string, listener: (info: never) => void): Emitter;
  cancel(): void;
}
export interface Pouch {
  info(): Promise<{ update_seq: string | number; [field: string]: unknown }>;
  get(id: string): Promise<Doc>;
  put(doc: Doc): Promise<{ rev: string }>;
  bulkDocs(docs: Doc[]): Promise<{ ok?: boolean; id?: string; rev?: string; status?: number; message?: string }[]>;
  allDocs(options: {
    keys?: string[];
    limit?: number;
    include_docs: boolean;
  }): Promise<{ rows: { doc?: Doc | null; value?: { rev: string; deleted?: boolean } }[] }>;
  changes(options: {
    since: string | number;
    include_docs?: boolean;
    live?: boolean;
    limit?: number;
  }): Emitter & Promise<{ results: { id: string; doc?: Doc }[]; last_seq: string | number }>;
  bulkGet(options: { docs: { id: string; rev?: string }[] }): Promise<unknown>;
  replicate: {
    to(remote: Pouch, options: Record<string, unknown>): Emitter;
    from(remote: Pouch, options: Record<string, unknown>): Emitter;
  };
  close(): Promise<void>;
  destroy(): Promise<void>;
}
type PouchConstructor = new (name: string, options?: Record<string, unknown>) => Pouch;

export type PouchDBClass = PouchConstructor & {
  plugin(plugin: unknown): unknown;
  adapters: Record<string, unknown>;
  /** The `fetch` PouchDB's HTTP adapter uses unless given another (the platform's; node-fetch in Node). */
  fetch(url: string, init?: unknown): Promise<Response>;
};

let loading: Promise<PouchDBClass> | undefined;

export async function loadPouch(adapter: string, plugins: unknown[]): Promise<PouchDBClass> {
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
