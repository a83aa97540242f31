/**
 * e2e set-up: a production build of the app (with MNEME_MODELS served at /models/) and
 * `vite preview` on a free port. Tests get the URL through `inject('baseURL')`.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await build({ configFile: 'vite.config.ts', logLevel: 'warn' });
  const server: PreviewServer = await preview({
    configFile: 'vite.config.ts',
    preview: { port: 4180, strictPort: false },
    logLevel: 'warn',
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  project.provide('baseURL', url);
  return async () => {
    await server.close();
  };
}
