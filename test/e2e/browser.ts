/** Chromium for the e2e tests: Debian's build, a fresh context per test, screenshots under test-results/. */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/environment';

export const SHOTS = 'test-results';
mkdirSync(SHOTS, { recursive: true });

let browser: Browser | undefined;

export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

/** A new context (own storage, own service worker) and a page on the app, with errors collected. */
export async function openApp(
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await (await launch()).newContext({ viewport: { width: 1280, height: 860 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(inject('baseURL'));
  return { context, page, errors };
}

export async function remember(page: Page, text: string): Promise<void> {
  await page.getByLabel('What should Mneme remember?').fill(text);
  await page.getByRole('button', { name: 'Save memory' }).click();
  await page
    .getByRole('region', { name: /Your memories/ })
    .getByRole('listitem')
    .filter({ hasText: text })
    .first()
    .waitFor();
}

export async function search(page: Page, query: string): Promise<string[]> {
  await page.getByLabel('Search', { exact: true }).fill(query);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const results = page.getByRole('list', { name: 'Search results' });
  await results.waitFor();
  await page.waitForFunction(() => !document.querySelector('button[type=submit]:disabled[aria-busy]'));
  return results.locator(':scope > li .text').allInnerTexts();
}
