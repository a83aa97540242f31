/** Types of scripts/sync-server.mjs (plain Node: `npm run sync-server`, and the tests' sync server). */
export interface SyncServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  pid: number;
  /** Stops the server by its pid and removes its temporary folder. */
  stop(): Promise<void>;
}
/** `dir`: databases stored in that folder (they survive a restart on the same `port`); default in memory. */
export function startSyncServer(options?: { port?: number; dir?: string; log?: (line: string) => void }): Promise<SyncServer>;
