/**
 * Chromium for the e2e tests (Debian's build, never a download), a fresh context per test, and
 * the few things a person does on the page, written the way they would do them.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { expect, inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/environment';

const SHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
mkdirSync(SHOTS, { recursive: true });

/** Where a screenshot named `name` goes: test-results/<name>.png. */
export const shot = (name: string) => `${SHOTS}${name}.png`;

export const DESKTOP = { width: 1280, height: 860 };
export const PHONE = { width: 360, height: 740 };

let browser: Browser | undefined;
const contexts = new Set<BrowserContext>();

/**
 * How long a wait for a state (an element, a stored record) may take before the test fails. Generous on
 * purpose: the suite must pass on a shared, loaded machine, and a wait that is met returns at once.
 */
export const STATE_TIMEOUT = 120_000;

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors: a working page has none. */
  errors: string[];
  /** What the page logged as an error (a failure the app showed, with its cause): for a failing test to say why. */
  logged: string[];
}

declare global {
  interface Window {
    /**
     * The IndexedDB holding database `name`: the storage bucket Mneme keeps the profile in, or the
     * default one. Defined in every e2e context (see {@link exposeRawIndexedDB}).
     */
    rawIndexedDB(name: string): Promise<IDBFactory>;
    /** A connection to database `name` where {@link Window.rawIndexedDB} finds it; the caller closes it. */
    openRawDatabase(name: string): Promise<IDBDatabase>;
    /**
     * Every record of each of `stores` (default: all the database's stores, in its order) of database
     * `name`, one read-only transaction a store; the connection is closed before it returns.
     */
    readRawStores<S extends string = string>(name: string, stores?: S[]): Promise<Record<S, Record<string, unknown>[]>>;
  }
}

/**
 * Lets page code read a profile's database without Mneme's code, wherever Mneme keeps it: the one
 * opener every e2e test uses inside `page.evaluate` (`window.openRawDatabase`, `window.readRawStores`).
 */
export async function exposeRawIndexedDB(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.rawIndexedDB = async (name) => {
      const buckets = (
        navigator as Navigator & {
          storageBuckets?: { keys(): Promise<string[]>; open(name: string): Promise<{ indexedDB: IDBFactory }> };
        }
      ).storageBuckets;
      for (const key of (await buckets?.keys()) ?? []) {
        const bucket = await buckets!.open(key);
        if ((await bucket.indexedDB.databases()).some((db) => db.name === name)) return bucket.indexedDB;
      }
      return indexedDB;
    };
    window.openRawDatabase = async (name) => {
      const factory = await window.rawIndexedDB(name);
      return new Promise<IDBDatabase>((resolve, reject) => {
        const request = factory.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    };
    window.readRawStores = async (name, stores) => {
      const db = await window.openRawDatabase(name);
      const all = (store: string) =>
        new Promise<Record<string, unknown>[]>((resolve, reject) => {
          const request = db.transaction(store, 'readonly').objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
          request.onerror = () => reject(request.error);
        });
      try {
        const names = stores ?? Array.from(db.objectStoreNames);
        const read = await Promise.all(names.map(async (store) => [store, await all(store)] as const));
        return Object.fromEntries(read) as Record<(typeof names)[number], Record<string, unknown>[]>;
      } finally {
        db.close();
      }
    };
  });
}

/** A new context (its own IndexedDB and service worker) with a page, not yet navigated. */
export async function newPage(options: BrowserContextOptions = {}): Promise<AppPage> {
  browser ??= await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const context = await browser.newContext({ viewport: DESKTOP, ...options });
  await exposeRawIndexedDB(context);
  // Every wait is for a state; this only bounds how long a loaded 2-core machine may take to reach it.
  context.setDefaultTimeout(STATE_TIMEOUT);
  contexts.add(context);
  context.on('close', () => contexts.delete(context));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const logged: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') logged.push(message.text());
  });
  return { context, page, errors, logged };
}

export interface OpenOptions {
  /** The first-run screen was done in an earlier visit (default true: most tests start past it). */
  welcomed?: boolean;
  /** The route to open, e.g. `#/memory/facts` (the default) or `#/chat`. */
  route?: string;
}

/** Marks the first run as done before the app loads, the way a returning visitor's browser has it. */
export async function markWelcomed(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    if (!localStorage.getItem('mneme:settings')) {
      localStorage.setItem('mneme:settings', JSON.stringify({ welcomed: true }));
    }
  });
}

/** A new context on the app, once the memory has opened. */
export async function openApp(options: BrowserContextOptions = {}, open: OpenOptions = {}): Promise<AppPage> {
  const app = await newPage(options);
  if (open.welcomed ?? true) await markWelcomed(app.context);
  const route = open.route ?? '#/memory/facts';
  await app.page.goto(`${inject('baseURL')}${route}`);
  await appReady(app.page, route);
  return app;
}

/** The memory is open: on the memory screen the list and search are ready, elsewhere the status says so. */
export async function appReady(page: Page, route = '#/memory/facts'): Promise<void> {
  await page.getByRole('heading', { name: 'Mneme', level: 1 }).waitFor();
  if (route.startsWith('#/memory/facts')) {
    await page.getByRole('button', { name: 'Search', exact: true }).and(page.locator(':enabled')).waitFor();
  } else {
    await statusLine(page)
      .filter({ hasNotText: /Opening/ })
      .waitFor();
  }
}

/** Opens a memory from the list and deletes it in its dialog. */
export async function deleteMemory(page: Page, text: string): Promise<void> {
  await memoryList(page)
    .getByRole('button', { name: `Open “${text.slice(0, 60)}”` })
    .click();
  const dialog = page.getByRole('dialog', { name: 'Memory' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Closes every context a test left open, then Chromium. */
export async function closeBrowser(): Promise<void> {
  await Promise.all([...contexts].map((context) => context.close()));
  await browser?.close();
  browser = undefined;
}

export const statusLine = (page: Page): Locator =>
  page.getByRole('status').filter({ hasText: /search|Opening|Updating your memories/i });
export const memoryList = (page: Page): Locator => page.getByRole('region', { name: 'Your memories', exact: true });
export const searchPanel = (page: Page): Locator => page.getByRole('region', { name: 'Search your memories', exact: true });

/** Waits until the embedding model has loaded (or failed) and returns the status sentence. */
export async function settledStatus(page: Page): Promise<string> {
  const status = statusLine(page);
  await status.filter({ hasNotText: /Opening|loading the model/ }).waitFor();
  return (await status.innerText()).replace(/\s+/g, ' ').trim();
}

/** Opens the status banner's "Technical details" and returns their text (model id, mode, raw reason). */
export async function statusDetails(page: Page): Promise<string> {
  const details = page.getByRole('region', { name: 'Search mode' }).locator('details');
  if ((await details.getAttribute('open')) === null) await details.getByText('Technical details', { exact: true }).click();
  const list = details.locator('dl');
  await list.waitFor();
  return (await list.innerText()).replace(/\s+/g, ' ').trim();
}

/** Types a memory and saves it with the Save button, or with Ctrl+Enter in the text box. */
export async function remember(page: Page, text: string, how: 'button' | 'keyboard' = 'button'): Promise<void> {
  const box = page.getByLabel('What should Mneme remember?');
  await box.fill(text);
  if (how === 'keyboard') await box.press('Control+Enter');
  else await page.getByRole('button', { name: 'Save', exact: true }).click();
  await memoryList(page).getByRole('listitem').filter({ hasText: text }).first().waitFor();
  await expect.poll(() => box.inputValue(), { message: 'the text box clears once the memory is saved' }).toBe('');
}

/** Searches and returns the result texts, best first. */
export async function search(page: Page, query: string): Promise<string[]> {
  const input = page.getByLabel('Search memories');
  await input.fill(query);
  await input.press('Enter');
  return searchResults(page, query);
}

/** The results shown for `query` once that search has finished. */
export async function searchResults(page: Page, query: string): Promise<string[]> {
  const panel = searchPanel(page);
  await panel.and(page.locator('[aria-busy="false"]')).getByText(`for “${query}”`).waitFor();
  return panel.locator('ol > li .text').allInnerTexts();
}

/** The memory texts the list shows, newest first. */
export function listedMemories(page: Page): Promise<string[]> {
  return memoryList(page).locator('li .text').allInnerTexts();
}

/** Waits until a service worker controls the page, reloading once (on `route`) if the first load was not controlled. */
export async function waitForServiceWorker(page: Page, route = '#/memory/facts'): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
    await page.reload();
    await appReady(page, route);
  }
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/** The local story model (a test model, never preselected): chosen on the first-run screen and started. */
export async function startStoryModel(page: Page): Promise<void> {
  await page.getByLabel('Recommended for this device').selectOption('karpathy/tinyllamas-stories260K');
  await page.getByRole('button', { name: 'Download and start' }).click();
}

/** Sends what the message box holds and presses Stop the moment it exists, before any token can arrive. */
export async function sendAndStopAtOnce(page: Page): Promise<void> {
  await page.evaluate(() => {
    const observer = new MutationObserver(() => {
      const stop = [...document.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Stop');
      if (!stop) return;
      observer.disconnect();
      stop.click();
    });
    observer.observe(document.body, { childList: true, subtree: true });
    document.querySelector<HTMLFormElement>('form.composer')!.requestSubmit();
  });
}

/** Every record of the profile's IndexedDB database as text, read without Mneme's code. */
export function rawDatabase(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [];
    for (const [name, rows] of Object.entries(await window.readRawStores('mneme-default'))) {
      const text = (value: unknown): string =>
        value instanceof ArrayBuffer || ArrayBuffer.isView(value)
          ? new TextDecoder('latin1').decode(value as ArrayBuffer)
          : typeof value === 'object' && value !== null
            ? Object.values(value).map(text).join(' ')
            : String(value);
      parts.push(name, ...rows.map(text));
    }
    return parts.join('\n');
  });
}

/**
 * Types the passphrase on the unlock screen and waits until the profile is open. When it does not
 * open, the failure says what the page showed (its alerts, whether the button still works) and
 * logged, so an intermittent failure can be told from the log alone.
 */
export async function unlockWith(page: Page, passphrase: string, logged: readonly string[] = []): Promise<void> {
  const locked = page.getByRole('region', { name: 'This profile is locked' });
  await locked.getByLabel('Passphrase').fill(passphrase);
  await locked.getByRole('button', { name: 'Unlock' }).click();
  await locked.waitFor({ state: 'hidden' }).catch(async (error: unknown) => {
    const alerts = await page.getByRole('alert').allInnerTexts();
    const disabled = await locked.getByRole('button', { name: 'Unlock' }).isDisabled();
    const said = await page.locator('[aria-live]').allInnerTexts();
    throw new Error(
      `${(error as Error).message}\nalerts: ${JSON.stringify(alerts)}; Unlock disabled: ${disabled}; ` +
        `announced: ${JSON.stringify(said)}; logged: ${JSON.stringify(logged)}`,
    );
  });
}

/**
 * In Settings (already open), points the app at an OpenAI-compatible chat server the way a person
 * does, and waits until the app names it as the model in use and says it is ready: the app does
 * both only once the choice is stored in the profile (profile-choices.test.ts checks it), so a page
 * closed or reloaded next still has it.
 */
export async function chooseChatServer(page: Page, url: string, model: string): Promise<void> {
  await page.getByText('Use an external server (off by default)').click();
  await page.getByLabel('Server URL').fill(url);
  await page.getByLabel('Model name').fill(model);
  await page.getByLabel('I understand my text is sent to this server').check();
  await page.getByRole('button', { name: 'Use this server' }).click();
  await page.getByText('external server: text leaves this device').waitFor();
  await page
    .locator('[aria-live]')
    .filter({ hasText: `${model} is ready.` })
    .waitFor({ state: 'attached' });
}
