/**
 * The SDK in another app: `mneme` is packed, installed into examples/vanilla-host from the tarball,
 * type-checked and built (scripts/sdk-host.mjs), then that app runs in Chromium from its production
 * build and from its dev server. No model hub is reachable, so it runs on keyword memory.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import type { Page } from 'playwright-core';
import { closeBrowser, newPage } from './browser';

const root = fileURLToPath(new URL('../..', import.meta.url));
const host = join(root, 'examples/vanilla-host');
let built: PreviewServer | undefined;
let dev: ViteDevServer | undefined;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/sdk-host.mjs')], { stdio: 'inherit' });
}, 600_000);

afterAll(async () => {
  await closeBrowser();
  await built?.close();
  await dev?.close();
});

async function useHost(page: Page, url: string): Promise<void> {
  await page
    .context()
    .route(/^https:\/\/([a-z0-9-]+\.)*(huggingface\.co|hf\.co)\//, (route) => route.abort('internetdisconnected'));
  await page.goto(url);
  await page
    .getByRole('status')
    .filter({ hasText: /^Ready \(worker\)/ })
    .waitFor({ timeout: 30_000 });
  for (const note of ['I take my coffee black', 'The cat is called Miso', 'Coffee beans come from the shop on the corner']) {
    await page.getByLabel('Remember').fill(note);
    await page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => page.getByLabel('Remember').inputValue()).toBe('');
  }
  await page.getByRole('status').filter({ hasText: '3 memories' }).waitFor();
  await page.getByLabel('Search').fill('coffee');
  await page.getByRole('button', { name: 'Search' }).click();
  const results = page.getByRole('list', { name: 'Results' }).getByRole('listitem');
  await expect.poll(() => results.count()).toBe(2);
  expect(await results.allInnerTexts()).toEqual(
    expect.arrayContaining([expect.stringMatching(/^I take my coffee black \(score/)]),
  );
  const context = page.locator('#context');
  await expect.poll(() => context.innerText()).toContain('<relevant_memories>');
  expect(await context.innerText()).toContain('I take my coffee black');
}

describe('the mneme package in a plain Vite host', () => {
  it('works from the host production build', async () => {
    built = await preview({
      root: host,
      configFile: false,
      logLevel: 'warn',
      build: { outDir: join(host, 'dist') },
      preview: { port: 0 },
    });
    const { context, page, errors } = await newPage();
    await useHost(page, built.resolvedUrls!.local[0]!);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works from the host dev server', async () => {
    dev = await createServer({ root: host, configFile: join(host, 'vite.config.ts'), logLevel: 'warn', server: { port: 0 } });
    await dev.listen();
    const { context, page, errors } = await newPage();
    await useHost(page, dev.resolvedUrls!.local[0]!);
    expect(errors).toEqual([]);
    await context.close();
  });
});
