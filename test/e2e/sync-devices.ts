/**
 * Devices for the sync e2e tests: each a Chromium context (its own IndexedDB and memory worker) on
 * the sync host page (./sync-host), reaching pouchdb-server through a loopback proxy the test can
 * cut. Going offline is both the browser's (`setOffline`) and the network's (the proxy): with the
 * emulation alone, the memory worker's requests were seen going through (see sync.test.ts).
 * Every wait is for a state (a status, a count, a digest), never for a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { startSyncServer, type SyncServer } from '../../scripts/sync-server.mjs';
import type { MemoryItem, SyncStatus } from '../../src/sdk/index';
import { open } from '../../src/sync/envelope';
import { deriveSyncKeys, type SyncKeys } from '../../src/sync/keys';
import { parsePairingCode } from '../../src/sync/pairing';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { closeBrowser, newPage, type AppPage } from './browser';
import type { DeviceState } from './sync-host/device-state';
import { serveSyncHost } from './sync-host/build';

/** What the devices of a sync test file reach, and the page they run. */
export interface SyncNetwork {
  /** pouchdb-server on a free loopback port; straight to it (no proxy) to read or plant documents. */
  readonly server: SyncServer;
  /** The devices' way to the server, which the test cuts to take them offline. */
  readonly proxy: CuttableProxy;
  /** The sync host page (./sync-host), allowed to reach the proxy. */
  readonly hostUrl: string;
  /** Stops the server and starts it again on its port with its databases (only `onDisk`). */
  restartServer(): Promise<void>;
}

/** Whether the server answers a plain GET within `ms` (a stopped one refuses at once; a hung one is given up on). */
async function answers(url: string, ms = 10_000): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(ms) })).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the server (its databases in a temp folder with `onDisk`, so it can restart), the proxy
 * and the host page before the file's tests, and stops them, the browser first, after them. Call
 * it at the top of a test file; read the fields inside tests and hooks.
 *
 * Every test starts from a known network, whatever the test before it did or where it failed:
 * the proxy passes everything through (no cut, no cut pending) and the server answers (started
 * again on its port, with its databases when `onDisk`, if it is down).
 */
export function useSyncNetwork(options: { onDisk?: boolean } = {}): SyncNetwork {
  let server: SyncServer | undefined;
  let proxy: CuttableProxy | undefined;
  let host: { url: string; close(): Promise<void> } | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    if (options.onDisk) dir = mkdtempSync(join(tmpdir(), 'mneme-sync-e2e-'));
    server = await startSyncServer(dir ? { dir } : {});
    proxy = await startCuttableProxy(server.url);
    host = await serveSyncHost(new URL(proxy.url).origin);
  });
  beforeEach(async () => {
    started(proxy).restore();
    if (await answers(started(server).url)) return;
    await startAgain();
    await expect
      .poll(() => answers(started(server).url), { message: 'the sync server answers again after a test left it down' })
      .toBe(true);
  });
  afterAll(async () => {
    await closeBrowser();
    await host?.close();
    await proxy?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The sync network starts in beforeAll: read it inside tests and hooks');
    return value;
  };
  /** Stops the server (if it still runs) and starts it on the same port, with its databases when on disk. */
  const startAgain = async () => {
    const port = Number(new URL(started(server).url).port);
    await started(server).stop();
    server = await startSyncServer(dir ? { dir, port } : { port });
  };
  return {
    get server() {
      return started(server);
    },
    get proxy() {
      return started(proxy);
    },
    get hostUrl() {
      return started(host).url;
    },
    async restartServer() {
      if (!dir) throw new Error('Only a server on disk can restart with its databases');
      await startAgain();
    },
  };
}

export type Device = AppPage & { label: string };

export async function device(hostUrl: string, label: string): Promise<Device> {
  const app = await newPage();
  await app.page.goto(hostUrl);
  await app.page.locator('body[data-ready="true"]').waitFor();
  return { ...app, label };
}

export const add = (page: Page, text: string, kind: MemoryItem['kind'] = 'fact') =>
  page.evaluate(([t, k]) => window.mneme!.memories.add(t, { kind: k }), [text, kind] as const);
export const get = (page: Page, id: string) => page.evaluate((i) => window.mneme!.memories.get(i), id);
export const status = (page: Page): Promise<SyncStatus> => page.evaluate(() => window.mneme!.sync.status());
export const count = (page: Page) => page.evaluate(() => window.mneme!.memories.count());
export const digestOf = (page: Page): Promise<{ digest: string; state: DeviceState }> =>
  page.evaluate(() => window.stateDigest());

/** Sets sync up on `first` and joins the others with its pairing code. */
export async function pair(url: string, first: Device, ...others: Device[]): Promise<string> {
  await first.page.evaluate((u) => window.mneme!.sync.enable({ url: u }), url);
  const code = await first.page.evaluate(() => window.mneme!.sync.pairingCode());
  for (const other of others) await other.page.evaluate((c) => window.mneme!.sync.join(c), code);
  return code;
}

/** Sent everything and caught up (idle, nothing pending) on every device. */
export async function settled(devices: readonly Device[]): Promise<void> {
  for (const { page, label } of devices) {
    await expect
      .poll(
        async () => {
          const { state, pending } = await status(page);
          return `${state}/${pending}`;
        },
        { message: `${label} is idle with nothing pending` },
      )
      .toBe('idle/0');
  }
}

/**
 * Every device shows the same state (equal digests) and `check` holds on it; returns that state.
 * Polls until both are true (devices converge at their own pace).
 */
export async function converged(devices: readonly Device[], check: (state: DeviceState) => void = () => undefined) {
  let last: DeviceState | undefined;
  await expect
    .poll(
      async () => {
        const digests = await Promise.all(devices.map((d) => digestOf(d.page)));
        last = digests[0]!.state;
        if (new Set(digests.map((d) => d.digest)).size !== 1) return difference(devices, digests);
        try {
          check(last);
        } catch (error) {
          return `the devices agree, but: ${(error as Error).message}`;
        }
        return 'converged';
      },
      { message: `${devices.map((d) => d.label).join(', ')} converge to what the rules say`, interval: 100 },
    )
    .toBe('converged');
  return last!;
}

/** Where the devices' states differ first (section, then the first differing record), for the failure message. */
function difference(devices: readonly Device[], digests: { state: DeviceState }[]): string {
  const first = digests[0]!.state;
  for (const [i, { state }] of digests.entries()) {
    for (const section of Object.keys(first) as (keyof DeviceState)[]) {
      const [mine, theirs] = [first[section], state[section]];
      if (JSON.stringify(mine) === JSON.stringify(theirs)) continue;
      const list = (value: unknown) =>
        Array.isArray(value) ? value.map((entry) => JSON.stringify(entry)) : [JSON.stringify(value)];
      const [x, y] = [list(mine), list(theirs)];
      const only = (p: string[], q: string[]) => p.filter((entry) => !q.includes(entry)).join(' | ');
      const sizes = digests.map((d, k) => `${devices[k]!.label} ${list(d.state[section]).length}`).join(', ');
      return `the devices differ in ${section} (${sizes}): only on ${devices[0]!.label}: ${only(x, y)}; only on ${devices[i]!.label}: ${only(y, x)}`;
    }
  }
  return 'the devices differ';
}

/**
 * Runs `changes` with every device cut off the server (the network, through the proxy, and the
 * browser's own offline mode), then brings them all back, also when `changes` fails. Code a device
 * loads lazily must have loaded before (the host page has no service worker to serve it offline).
 */
export async function whileOffline(network: CuttableProxy, devices: readonly Device[], changes: () => Promise<void>) {
  network.cut();
  for (const { context } of devices) await context.setOffline(true);
  try {
    await changes();
    // Nothing crossed while offline: every device knows it is offline.
    for (const { page, label } of devices) {
      await expect.poll(() => status(page).then((s) => s.state), { message: `${label} is offline` }).toBe('offline');
    }
  } finally {
    network.restore();
    for (const { context } of devices) await context.setOffline(false);
  }
}

/** A server document of the profile's database (sealed). */
export interface ServerDoc {
  _id: string;
  _rev?: string;
  _conflicts?: string[];
  box?: string;
  v?: number;
}

/** The keys a pairing code carries, to find the profile's database and open its documents. */
export const keysOf = (code: string): Promise<SyncKeys> => deriveSyncKeys(parsePairingCode(code).syncKey);

/** Every document of the profile on the server (straight to it, not through the proxy), with conflicts. */
export async function serverDocs(serverUrl: string, keys: SyncKeys): Promise<ServerDoc[]> {
  const response = await fetch(new URL(`${keys.database}/_all_docs?include_docs=true&conflicts=true`, serverUrl));
  const { rows } = (await response.json()) as { rows: { doc: ServerDoc }[] };
  return rows.map((row) => row.doc).filter((doc) => !doc._id.startsWith('_'));
}

/** The server's memory versions, opened with the key (records of other types are told apart only that way). */
export async function memoryVersions(serverUrl: string, keys: SyncKeys): Promise<{ doc: ServerDoc; id: string }[]> {
  const docs = await serverDocs(serverUrl, keys);
  const bodies = await Promise.all(docs.map((doc) => open(keys, doc).catch(() => undefined)));
  return docs.flatMap((doc, i) => {
    const body = bodies[i] as { type?: unknown; id?: unknown } | undefined;
    return body?.type === 'memory' ? [{ doc, id: String(body.id) }] : [];
  });
}
