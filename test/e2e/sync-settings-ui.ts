/**
 * Settings → Devices & sync in the app, for the tests that set sync up the way a person does:
 * pouchdb-server on a free loopback port, which the app reaches through the run's relay (the one
 * origin the app's build allows, see global-setup.ts).
 */
import { afterAll, beforeAll, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { startSyncServer, type SyncServer } from '../../scripts/sync-server.mjs';
import { closeBrowser } from './browser';

/**
 * Starts the server before the file's tests and stops it, the browser first, after them. Returns
 * the server's address through the relay (`<relay>/<port>/`), to type into Settings.
 */
export function useRelayedSyncServer(): () => string {
  let server: SyncServer | undefined;
  beforeAll(async () => {
    server = await startSyncServer();
  });
  afterAll(async () => {
    await closeBrowser();
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('The sync server starts in beforeAll: read its address inside tests');
    return `${inject('chatRelay')}/${new URL(server.url).port}/`;
  };
}

export const syncSection = (page: Page) => page.getByRole('region', { name: 'Devices & sync' });
export const openSettings = (page: Page) => page.getByRole('link', { name: 'Settings', exact: true }).click();
