import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { closeBrowser, openApp, remember, search, SHOTS } from './browser';

afterAll(closeBrowser);

const NOTES = [
  'I take my coffee black every morning',
  'The car needs new winter tyres',
  'My sister plays the violin in an orchestra',
];

describe('the app, built and served by vite preview', () => {
  it('stores memories in the worker and finds them by meaning, explaining why', async () => {
    const { context, page, errors } = await openApp();
    await page.getByText('Search by meaning and keywords').waitFor();
    await expect(page.getByRole('status').first().innerText()).resolves.toContain('local/glove-sif-100d');
    for (const note of NOTES) await remember(page, note);
    const results = await search(page, 'espresso or tea?');
    expect(results[0]).toBe(NOTES[0]);
    const first = page.getByRole('list', { name: 'Search results' }).locator(':scope > li').first();
    await expect(first.getByText(/^similarity \d/).innerText()).resolves.toMatch(/similarity 0\.\d\d/);
    await page.screenshot({ path: `${SHOTS}/e2e-search-desktop.png`, fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps memories after a reload (IndexedDB in the worker)', async () => {
    const { context, page } = await openApp();
    await remember(page, 'Our flat is in Lisbon near the river');
    await page.reload();
    await page.getByRole('listitem').filter({ hasText: 'Our flat is in Lisbon near the river' }).waitFor();
    expect(await search(page, 'which city do we live in')).toEqual(['Our flat is in Lisbon near the river']);
    await context.close();
  });

  it('deletes a memory from the list and from search results', async () => {
    const { context, page } = await openApp();
    await remember(page, 'Dentist appointment on Friday at nine');
    await remember(page, 'Friday dinner with Sam');
    expect(await search(page, 'Friday')).toHaveLength(2);
    await page.getByRole('button', { name: 'Delete memory: Dentist appointment on Friday at nine' }).click();
    const list = page.getByRole('region', { name: /Your memories/ });
    await list.getByRole('listitem').filter({ hasText: 'Dentist appointment' }).waitFor({ state: 'detached' });
    expect(await search(page, 'Friday')).toEqual(['Friday dinner with Sam']);
    await context.close();
  });

  it('runs on keyword search alone when no model is reachable, and says why', async () => {
    const { context, page } = await openApp();
    await context.route('**/models/**', (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.reload();
    await remember(page, 'Water the basil on Sundays');
    await page.getByText('Keyword search only').waitFor();
    await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/Keyword search only: .+/);
    expect(await search(page, 'basil')).toEqual(['Water the basil on Sundays']);
    await expect(page.getByText(/^keywords \d/).count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/e2e-keyword-only.png`, fullPage: true });
    await context.close();
  });

  it('serves an installable manifest with 192, 512 and maskable PNG icons', async () => {
    const { context, page } = await openApp();
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = await (await page.request.get(new URL(href!, inject('baseURL')).href)).json();
    expect(manifest).toMatchObject({ name: expect.stringContaining('Mneme'), short_name: 'Mneme', display: 'standalone' });
    const icons = manifest.icons as { src: string; sizes: string; purpose?: string }[];
    expect(icons.map((i) => `${i.sizes}${i.purpose ? ` ${i.purpose}` : ''}`)).toEqual(['192x192', '512x512', '512x512 maskable']);
    for (const icon of icons) {
      const response = await page.request.get(new URL(icon.src, inject('baseURL')).href);
      expect(response.headers()['content-type']).toBe('image/png');
      expect([...(await response.body()).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    }
    await context.close();
  });

  it('reloads offline from the service worker with memories intact', async () => {
    const { context, page } = await openApp();
    await remember(page, 'Passport renewal is due in March');
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload();
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Mneme' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Passport renewal is due in March' }).waitFor();
    expect(await search(page, 'passport')).toEqual(['Passport renewal is due in March']);
    await page.screenshot({ path: `${SHOTS}/e2e-offline.png`, fullPage: true });
    await context.close();
  });

  it('fits a 360 px phone and follows a dark system theme', async () => {
    const { context, page } = await openApp({
      viewport: { width: 360, height: 740 },
      colorScheme: 'dark',
      isMobile: true,
      hasTouch: true,
    });
    await remember(page, 'Pick up the dry cleaning on the way home');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(background).toBe('rgb(11, 16, 32)');
    await page.screenshot({ path: `${SHOTS}/e2e-phone-dark.png`, fullPage: true });
    await context.close();
  });
});
