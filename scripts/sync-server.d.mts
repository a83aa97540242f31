/** Types of scripts/sync-server.mjs (plain Node: `npm run sync-server`, and the tests' sync server). */
export interface SyncServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  pid: number;
  /** Stops the server by its pid and removes its temporary folder. */
  stop(): Promise<void>;
}
export function startSyncServer(options?: { port?: number; log?: (line: string) => void }): Promise<SyncServer>;
