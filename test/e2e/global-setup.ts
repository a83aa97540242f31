/**
 * e2e set-up: a production build of the app (the repo's vite.config.ts, with the models folder
 * from MNEME_MODELS served at /models/) into a temporary folder, then `vite preview` on a free
 * port. Tests read its address with `inject('baseURL')`. The build allows one chat server origin
 * and one sync server origin, both the relay of chat-relay.ts, through which tests reach their
 * scripted chat servers and their sync servers (pouchdb-server on a port of their own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { testModelsFolder } from '../support/environment';
import { startChatRelay } from './chat-relay';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built app, served by `vite preview`, e.g. `http://localhost:41234/`. */
    baseURL: string;
    /** The relay's origin, the only chat (and sync) server the build's Content-Security-Policy allows. */
    chatRelay: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  // The config's modelsFolder() plugin reads it when the config loads.
  process.env.MNEME_MODELS ??= testModelsFolder();
  // A folder of its own: the build never touches dist/ while someone else works with it.
  const outDir = mkdtempSync(join(tmpdir(), 'mneme-e2e-'));
  const configFile = join(root, 'vite.config.ts');
  const relay = await startChatRelay();
  // The config's contentSecurityHeaders() plugin reads it when the config loads (build and preview).
  const chatOrigin = process.env.MNEME_CHAT_ORIGIN;
  const syncOrigin = process.env.MNEME_SYNC_ORIGIN;
  process.env.MNEME_CHAT_ORIGIN = relay.origin;
  process.env.MNEME_SYNC_ORIGIN = relay.origin;
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  if (chatOrigin === undefined) delete process.env.MNEME_CHAT_ORIGIN;
  else process.env.MNEME_CHAT_ORIGIN = chatOrigin;
  if (syncOrigin === undefined) delete process.env.MNEME_SYNC_ORIGIN;
  else process.env.MNEME_SYNC_ORIGIN = syncOrigin;
  provide('baseURL', url);
  provide('chatRelay', relay.origin);
  return async () => {
    await server.close();
    await relay.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
