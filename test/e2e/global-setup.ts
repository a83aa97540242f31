/**
 * e2e set-up: a production build of the app (the repo's vite.config.ts, with the models folder
 * from MNEME_MODELS served at /models/) into a temporary folder, then `vite preview` on a free
 * port. Tests read its address with `inject('baseURL')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { testModelsFolder } from '../support/environment';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built app, served by `vite preview`, e.g. `http://localhost:41234/`. */
    baseURL: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  // The config's modelsFolder() plugin reads it when the config loads.
  process.env.MNEME_MODELS ??= testModelsFolder();
  // A folder of its own: the build never touches dist/ while someone else works with it.
  const outDir = mkdtempSync(join(tmpdir(), 'mneme-e2e-'));
  const configFile = join(root, 'vite.config.ts');
  await build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report its address');
  provide('baseURL', url);
  return async () => {
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  };
}
