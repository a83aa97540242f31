/** The tests' sync server: pouchdb-server on a free loopback port, stopped by its pid in teardown. */
import { afterAll, beforeAll } from 'vitest';
import { startSyncServer, type SyncServer } from '../../scripts/sync-server.mjs';

/** Starts a server for the current test file; the returned getter gives its URL. */
export function useSyncServer(): () => string {
  let server: SyncServer | undefined;
  beforeAll(async () => {
    server = await startSyncServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('The sync server has not started');
    return server.url;
  };
}
