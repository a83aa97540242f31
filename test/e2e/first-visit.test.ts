/**
 * A first visit to a copy of the app that offers no models of its own (a plain static host): the
 * welcome screen says nothing is sent anywhere, so no request leaves the app's origin, from the
 * page or any worker, until the person chooses to download a model. After that the models come
 * from the hub, and the choice holds on the next visits. There is no internet here: the hub
 * answers 404, which is enough to see that the app asked it.
 */
import { afterAll, expect, inject, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { closeBrowser, newPage, settledStatus, statusDetails } from './browser';

afterAll(closeBrowser);

const HUB = /^https:\/\/([a-z0-9-]+\.)*(huggingface\.co|hf\.co)\//;
const EMBEDDER_CONFIG = 'https://huggingface.co/Xenova/all-MiniLM-L6-v2/resolve/main/config.json';

/** Records every request of the context (the page's and its workers') that leaves the app's origin. */
async function recordOutside(context: BrowserContext): Promise<string[]> {
  const origin = new URL(inject('baseURL')).origin;
  const outside: string[] = [];
  context.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) outside.push(request.url());
  });
  // A static host: no /models/ folder, so the app's models would come from the hub (unreachable here: 404).
  await context.route('**/models/manifest.json', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  await context.route(HUB, (route) => route.fulfill({ status: 404, body: 'Entry not found' }));
  return outside;
}

const welcome = (page: Page) => page.getByRole('region', { name: 'Welcome to Mneme' });

it('sends nothing beyond the app before the person chooses to download, then asks the hub, and remembers the choice', async () => {
  // No service worker: its cache would answer a reload without a request to record.
  const { context, page } = await newPage({ serviceWorkers: 'block' });
  const outside = await recordOutside(context);

  await page.goto(inject('baseURL'));
  await welcome(page).getByText('nothing you write is sent anywhere').waitFor();
  // The memory is open and has settled on what it can do without downloading.
  const status = await settledStatus(page);
  expect(outside, 'requests that left the app before the welcome screen was answered').toEqual([]);
  expect(status).toContain('Searching by words only: the meaning model downloads once you choose to download a model');
  expect(await statusDetails(page)).toContain('Xenova/all-MiniLM-L6-v2 (waiting for your choice to download)');
  await welcome(page).getByText('Xenova/all-MiniLM-L6-v2').waitFor();

  // Choosing a model to download is the consent: the chat model and the search model are asked of the hub.
  // The model preselected for this device (a hub model: this copy of the app offers none of its own).
  const chosen = await welcome(page)
    .getByLabel(/Recommended for this device/)
    .inputValue();
  expect(chosen).not.toBe('');
  const chatModelAsked = context.waitForEvent(
    'request',
    (request) => HUB.test(request.url()) && request.url().includes(`/${chosen}/`),
  );
  const embedderAsked = context.waitForEvent('request', (request) => request.url() === EMBEDDER_CONFIG);
  await welcome(page).getByRole('button', { name: 'Download and start' }).click();
  await Promise.all([chatModelAsked, embedderAsked]);
  // The hub cannot be reached here: the page says so.
  await page.getByRole('alert').first().waitFor();

  // The next visit remembers the choice: the search model is asked for again without a click.
  const askedAgain = context.waitForEvent('request', (request) => request.url() === EMBEDDER_CONFIG);
  await page.reload();
  await askedAgain;
  await expect.poll(() => settledStatus(page)).toContain('Searching by words only: the meaning model could not be');
  expect(await statusDetails(page)).toContain('Embedding model Xenova/all-MiniLM-L6-v2 was not found');
  await context.close();
});

it('after "Skip", memory works by keywords and still nothing leaves the app, on this visit or the next', async () => {
  const { context, page, errors } = await newPage({ serviceWorkers: 'block' });
  const outside = await recordOutside(context);

  await page.goto(inject('baseURL'));
  await welcome(page).getByRole('button', { name: /Skip/ }).click();
  await page.getByText('No chat model is loaded').waitFor();
  await page.reload();
  await page.getByText('No chat model is loaded').waitFor();
  const status = await settledStatus(page);
  expect(outside).toEqual([]);
  expect(status).toContain('Searching by words only: the meaning model downloads once you choose to download a model');
  expect(errors).toEqual([]);
  await context.close();
});
