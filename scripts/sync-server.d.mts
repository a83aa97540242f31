/** Types of scripts/sync-server.mjs (plain Node: `npm run sync-server`, and the tests' sync server). */
export interface SyncServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  pid: number;
  /** Stops the server by its pid and removes its temporary folder. */
  stop(): Promise<void>;
}
/** The app's local origins (`npm run dev`, `npm run preview`) that `npm run sync-server` answers. */
export const APP_ORIGINS: readonly string[];
/**
 * `dir`: databases stored in that folder (they survive a restart on the same `port`); default in memory.
 * `cors`: page origins allowed to use the server (`*` for any); pouchdb-server's default (any) otherwise.
 */
export function startSyncServer(options?: {
  port?: number;
  dir?: string;
  cors?: readonly string[];
  log?: (line: string) => void;
}): Promise<SyncServer>;
