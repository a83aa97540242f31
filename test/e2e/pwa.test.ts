/** The installable, offline-capable side: web manifest, icons, service worker. */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  appReady,
  closeBrowser,
  listedMemories,
  memoryList,
  openApp,
  remember,
  search,
  settledStatus,
  statusDetails,
  shot,
  waitForServiceWorker,
} from './browser';

afterAll(closeBrowser);

interface ManifestIcon {
  src: string;
  sizes: string;
  type?: string;
  purpose?: string;
}

describe('the progressive web app', () => {
  it('serves a web manifest with 192, 512 and maskable PNG icons', async () => {
    const { context, page } = await openApp();
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const manifestUrl = new URL(href!, inject('baseURL'));
    const response = await page.request.get(manifestUrl.href);
    expect(response.status()).toBe(200);
    const manifest = (await response.json()) as { name: string; short_name: string; display: string; icons: ManifestIcon[] };
    expect(manifest).toMatchObject({ name: expect.stringContaining('Mneme'), short_name: 'Mneme', display: 'standalone' });
    expect(manifest.icons.map((icon) => [icon.sizes, icon.purpose ?? 'any'])).toEqual([
      ['192x192', 'any'],
      ['512x512', 'any'],
      ['512x512', 'maskable'],
    ]);

    for (const icon of manifest.icons) {
      const image = await page.request.get(new URL(icon.src, manifestUrl).href);
      expect(image.status()).toBe(200);
      expect(image.headers()['content-type']).toBe('image/png');
      const bytes = await image.body();
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const [width, height] = icon.sizes.split('x').map(Number);
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([width, height]);
    }
    // The page's own icons load too.
    for (const selector of ['link[rel="icon"]', 'link[rel="apple-touch-icon"]']) {
      const icon = await page.locator(selector).getAttribute('href');
      expect((await page.request.get(new URL(icon!, inject('baseURL')).href)).status()).toBe(200);
    }
    await context.close();
  });

  it('opens offline from the service worker with the stored memories', async () => {
    const { context, page, errors } = await openApp();
    await remember(page, 'Passport renewal is due in March');
    await remember(page, 'The boiler service is booked for the 14th');
    await waitForServiceWorker(page);
    await page.getByText('Ready to work offline.').waitFor();

    await context.setOffline(true);
    await page.reload();
    await appReady(page);
    // The service worker cached the embedding model too: search by meaning works without a network.
    expect(await settledStatus(page)).toBe('Search understands meaning and words');
    expect(await statusDetails(page)).toMatch(/Meaning model local\/glove-sif-100d \(ready\) Search mode semantic \+ keyword/);
    await memoryList(page).getByText('2 memories').waitFor();
    expect(await listedMemories(page)).toEqual(['The boiler service is booked for the 14th', 'Passport renewal is due in March']);
    expect((await search(page, 'passport'))[0]).toBe('Passport renewal is due in March');
    await remember(page, 'Written while offline');
    expect(await listedMemories(page)).toContain('Written while offline');
    await page.screenshot({ path: shot('e2e-offline'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('precaches every script the page and its workers can load, the chunks they load on demand included', async () => {
    const { context, page } = await openApp();
    await waitForServiceWorker(page);
    await page.getByText('Ready to work offline.').waitFor();
    const cached = new Set(
      await page.evaluate(async () => {
        const paths: string[] = [];
        for (const name of await caches.keys())
          for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
        return paths;
      }),
    );
    // From the page's entry, every chunk named in a script: static and dynamic imports, workers.
    const base = new URL(inject('baseURL'));
    const entry = await page.locator('script[type="module"][src]').first().getAttribute('src');
    const reached = new Set<string>();
    const pending = [new URL(entry!, base).pathname];
    while (pending.length > 0) {
      const path = pending.pop()!;
      if (reached.has(path)) continue;
      const response = await page.request.get(new URL(path, base).href);
      // A string that only looks like a file name gets the app's page (the server's fallback), not a script.
      if (response.status() !== 200 || !/javascript/.test(response.headers()['content-type'] ?? '')) continue;
      reached.add(path);
      for (const [, name] of (await response.text()).matchAll(/["'`](?:\.\/|\/?assets\/)?([\w.-]+\.js)["'`]/g))
        pending.push(`${base.pathname}assets/${name}`);
    }
    // The memory worker and what it loads on demand (sync, export, verify) were reached: the walk covered them.
    const kinds = new Set([...reached].map((path) => /\/(memory\.worker|engine-sync|export|verify)-[\w-]+\.js$/.exec(path)?.[1]));
    expect([...kinds].filter(Boolean).sort()).toEqual(['engine-sync', 'export', 'memory.worker', 'verify']);
    expect([...reached].filter((path) => !cached.has(path))).toEqual([]);
    await context.close();
  });

  it("is ready to install: offers the browser's install prompt from its own button", async () => {
    const { context, page } = await openApp();
    await waitForServiceWorker(page);
    // Headless Chromium never decides to offer installing; the event it would fire is played here.
    await page.evaluate(() => {
      const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt(): Promise<void> };
      event.prompt = async () => void ((window as { __prompted?: boolean }).__prompted = true);
      dispatchEvent(event);
    });
    const install = page.getByRole('button', { name: 'Install Mneme as an app' });
    await install.click();
    expect(await page.evaluate(() => (window as { __prompted?: boolean }).__prompted)).toBe(true);
    await install.waitFor({ state: 'detached' });
    await context.close();
  });
});
