import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import wasm from 'vite-plugin-wasm';
import { VitePWA } from 'vite-plugin-pwa';
import { modelsFolder } from './tooling/models-folder.ts';
import { chromiumArgs, chromiumPath, testModelsFolder } from './test/support/environment.ts';

const models = testModelsFolder();
/**
 * The hardening suites' size and seed (see test/hardening/harness.ts). The quick size (`npm test`,
 * CI) replays one fixed seed, so a run's trials and outcome are the same every time; the full size
 * (`npm run test:hardening`) draws a new seed each run to find what the fixed one never meets.
 * `HARDENING_SEED=<n>` replays a given run either way. The fixed seed is CI34's, whose trial 29 of
 * prompt-injection found the context builder dropping a memory as a near-duplicate of another
 * although it said a word the other lacked (2026-12-06).
 */
const HARDENING_FIXED_SEED = 1_252_482_866;
const hardening = process.env.HARDENING === 'full' ? ('full' as const) : ('quick' as const);
const provide = {
  hardening,
  hardeningSeed: Number(process.env.HARDENING_SEED ?? (hardening === 'full' ? Date.now() % 2 ** 31 : HARDENING_FIXED_SEED)),
};

const BROWSER_TESTS = ['test/browser/**/*.test.ts', 'test/hardening/browser/**/*.test.ts'];
const QUOTA_SUITE = 'test/hardening/browser/quota.test.ts';

/**
 * A Chromium project. The quota suite has a browser of its own: run in the same renderer after the
 * encryption suite, it ended in a V8 out-of-memory crash of the page (the isolates of a renderer
 * share one heap cage), reproduced at 3deca16 and since; see the session note of 2026-12-05. The
 * likely cause, a CDP quota lowered too late to be seen (see the suite), is fixed; it can join
 * `browser` again once a whole run with it is green.
 */
function browserProject(name: string, include: string[], exclude: string[] = []): TestProjectInlineConfiguration {
  return {
    // The PWA plugin, disabled, only provides its virtual modules to the app files Vite pre-transforms.
    plugins: [svelte(), wasm(), modelsFolder(models), VitePWA({ disable: true, injectRegister: null })],
    worker: { format: 'es' as const, plugins: () => [wasm()] },
    // Pre-bundled up front: a dependency discovered mid-run makes Vite reload the test page.
    optimizeDeps: {
      // Scan the tests, not index.html: the app's PWA virtual module exists only in the app build.
      entries: BROWSER_TESTS,
      include: [
        'comlink',
        'dexie',
        'minisearch',
        'zod/mini',
        'fast-check',
        '@mlc-ai/web-llm',
        'marked',
        'dompurify',
        'pouchdb-core',
        'pouchdb-adapter-http',
        'pouchdb-adapter-indexeddb',
        'pouchdb-replication',
        'ai',
        'ai/test',
        '@browser-ai/web-llm',
        '@scure/bip39',
        '@scure/bip39/wordlists/english.js',
      ],
      exclude: ['@huggingface/transformers', 'onnxruntime-web', 'voy-search'],
    },
    test: {
      name,
      include,
      exclude,
      provide,
      setupFiles: ['test/support/fast-check-seed.ts'],
      testTimeout: 300_000,
      expect: { poll: { timeout: 120_000 } },
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({ launchOptions: { executablePath: chromiumPath, args: chromiumArgs } }),
        instances: [{ browser: 'chromium' }],
        screenshotFailures: false,
      },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/hardening/node/**/*.test.ts'],
          provide,
          setupFiles: ['test/support/node-setup.ts', 'test/support/fast-check-seed.ts'],
          env: { MNEME_MODELS: models },
          testTimeout: 120_000,
          expect: { poll: { timeout: 60_000 } },
        },
      },
      browserProject('browser', BROWSER_TESTS, [QUOTA_SUITE]),
      browserProject('browser-quota', [QUOTA_SUITE]),
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts', 'test/hardening/e2e/**/*.test.ts'],
          provide,
          globalSetup: ['test/e2e/global-setup.ts'],
          env: { MNEME_MODELS: models },
          // Waits are for states, bounded by STATE_TIMEOUT (test/e2e/browser.ts); a test holds several.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          expect: { poll: { timeout: 120_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
});
