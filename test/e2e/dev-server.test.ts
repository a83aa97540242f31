/**
 * The dev server sends the same Content-Security-Policy header as the build, and the app works
 * under it: Vite's client, its HMR WebSocket, injected styles and the module workers need nothing
 * more. A violation anywhere on the page is reported and fails the test.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { closeBrowser, markWelcomed, memoryList, newPage, remember } from './browser';

afterAll(closeBrowser);

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: ViteDevServer;
let url: string;

beforeAll(async () => {
  server = await createServer({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', server: { port: 0 } });
  await server.listen();
  url = server.resolvedUrls!.local[0]!;
});

afterAll(() => server?.close());

it('serves the policy as a header and runs the app and its memory worker under it', async () => {
  const headers = (await fetch(url)).headers;
  expect(headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  const worker = await fetch(new URL('src/worker/memory.worker.ts?worker_file&type=module', url));
  expect(worker.headers.get('content-security-policy')).toBe(headers.get('content-security-policy'));

  const { context, page, errors } = await newPage();
  await markWelcomed(context);
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().startsWith('CSP violation')) violations.push(message.text());
  });
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`CSP violation: ${event.effectiveDirective} ${event.blockedURI}`),
    ),
  );
  const hmr = page.waitForEvent('websocket');
  await page.goto(`${url}#/memory/facts`);
  await page.getByRole('button', { name: 'Search', exact: true }).and(page.locator(':enabled')).waitFor({ timeout: 120_000 });
  await hmr;
  await remember(page, 'Written while the dev server serves the app');
  await expect(memoryList(page).getByText('Written while the dev server serves the app').count()).resolves.toBe(1);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
  // The dev server transforms every module on first load: slow on a busy machine.
}, 240_000);
