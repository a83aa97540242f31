#!/usr/bin/env node
/**
 * A CouchDB-compatible sync server for trying sync on one machine and for tests: pouchdb-server,
 * in memory (nothing survives a restart), bound to 127.0.0.1. Its config and log file go to a
 * fresh folder under the OS temp dir, removed when it stops.
 *
 * `npm run sync-server` (optionally `-- --port 5984`) prints the URL to give `client.sync.enable`;
 * it answers the app's local origins only (`npm run dev` and `npm run preview`, CORS), so two
 * browser windows of the app can sync through it and other sites cannot use it. Tests import
 * {@link startSyncServer}: a free loopback port, stopped by its pid.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../node_modules/pouchdb-server/bin/pouchdb-server', import.meta.url));

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** The origins the app runs at on this machine: `npm run dev` (5173) and `npm run preview` (4173). */
export const APP_ORIGINS = ['localhost', '127.0.0.1'].flatMap((host) => [5173, 4173].map((port) => `http://${host}:${port}`));

/** Lets pages of these origins (`*`: any) use the server, through its _config API (CouchDB's CORS settings). */
async function allowOrigins(url, origins) {
  const set = (path, value) =>
    fetch(new URL(`_config/${path}`, url), { method: 'PUT', body: JSON.stringify(value) }).then((response) => {
      if (!response.ok) throw new Error(`sync server config ${path}: ${response.status}`);
    });
  await set('httpd/enable_cors', 'true');
  await set('cors/origins', origins.join(', '));
  await set('cors/credentials', 'true');
  await set('cors/methods', 'GET, PUT, POST, HEAD, DELETE');
  await set('cors/headers', 'accept, authorization, content-type, origin, referer');
}

/**
 * Starts pouchdb-server on 127.0.0.1: in memory, or with `dir` its databases stored in that folder
 * (LevelDB), so they survive a restart on the same `port` (the tests' "server restart"). `cors`:
 * the page origins allowed to use it (pouchdb-server's own default otherwise: it answers any).
 * @param {{ port?: number, dir?: string, cors?: string[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ url: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startSyncServer(options = {}) {
  const port = options.port ?? (await freePort());
  const folder = mkdtempSync(join(tmpdir(), 'mneme-sync-server-'));
  const child = spawn(
    process.execPath,
    [
      bin,
      ...(options.dir ? ['--dir', options.dir] : ['--in-memory']),
      ...['--host', '127.0.0.1', '--port', String(port), '--config', join(folder, 'config.json')],
    ],
    { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = `http://127.0.0.1:${port}/`;
  let output = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += String(chunk);
      options.log?.(String(chunk).trimEnd());
      if (output.includes('has started on')) resolve(undefined);
      if (output.includes('already in use') || output.includes('Uncaught error')) reject(new Error(output));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`pouchdb-server exited (${code}): ${output}`)));
  });
  const stop = () =>
    new Promise((resolve) => {
      const done = () => {
        rmSync(folder, { recursive: true, force: true });
        resolve(undefined);
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('exit', done);
      process.kill(/** @type {number} */ (child.pid), 'SIGTERM');
    });
  if (options.cors?.length) await allowOrigins(url, options.cors).catch((error) => stop().then(() => Promise.reject(error)));
  return { url, pid: /** @type {number} */ (child.pid), stop };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : undefined;
  const server = await startSyncServer({ port, cors: APP_ORIGINS });
  console.log(`Mneme sync server (pouchdb-server, in memory) at ${server.url}`);
  console.log(`It answers pages of ${APP_ORIGINS.join(', ')} (the app's dev server and preview) and no others.`);
  console.log(`Give this URL to client.sync.enable({ url }). Ctrl+C stops it; its data goes with it.`);
  const quit = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', quit);
  process.on('SIGTERM', quit);
}
