/**
 * Builds the sync device page (a production build: the memory worker with PouchDB, bundled by Vite
 * the way a host app bundles the SDK) and serves it with `vite preview` and the app's
 * Content-Security-Policy, allowing exactly one sync server origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import wasm from 'vite-plugin-wasm';
import { contentSecurityHeaders } from '../../../tooling/csp';

const root = fileURLToPath(new URL('.', import.meta.url));

export async function serveSyncHost(syncOrigin: string): Promise<{ url: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'mneme-sync-host-'));
  const config = {
    root,
    configFile: false as const,
    logLevel: 'warn' as const,
    plugins: [contentSecurityHeaders([], [syncOrigin]), wasm()],
    worker: { format: 'es' as const, plugins: () => [wasm()] },
  };
  await build({ ...config, build: { outDir, emptyOutDir: true, target: 'es2022' } });
  const server = await preview({ ...config, build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  return {
    url,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
