/**
 * The SDK the way a user gets it: `mneme` is packed (scripts/pack-sdk.mjs), and only that tarball
 * and `vite` are installed into a fresh Vite app in the OS temp dir (test/e2e/clean-host.ts), whose
 * main.ts and vite.config.ts are the README's code blocks, unchanged. Its dev server, then its
 * production build under `vite preview`, run the README snippet in Chromium. No hub is reachable:
 * the host serves the models itself with VITE_MNEME_MODELS, as the README says; the default
 * embedder's folder there holds the toy stand-in (same tokenizer, 384-d, no semantics).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testModelsFolder } from '../support/environment';
import { closeBrowser, newPage } from './browser';
import { app, buildHost, createHost, packSdk, readmeCode, removeHost, startHost, type HostServer } from './clean-host';

/** What the test appends to the README snippet: its results, on the page for the test to read. */
const REPORT = `
// The test's report, after the README snippet.
const report = document.createElement('pre');
report.id = 'report';
report.textContent = JSON.stringify({
  hits: hits.map((hit) => hit.item.text),
  prompt: context.prompt,
  status: await client.status(),
  // Paths the worker loads on demand, from chunks of their own in the tarball: export, sync.
  exported: JSON.parse(await client.data.export()).memories.length,
  sync: await client.sync.pairingCode().catch((error) => error.code),
});
document.body.append(report);
`;

interface Report {
  hits: string[];
  prompt: string;
  status: { mode: string; memories: number; retrieval: string; embedder: { state: string; model?: string } };
  exported: number;
  sync: string;
}

let host: string | undefined;
const servers: HostServer[] = [];

beforeAll(async () => {
  const tarball = await packSdk();
  const [snippet, viteConfig] = [
    readmeCode('ts').find((code) => code.includes('createMemoryClient')),
    readmeCode('ts').find((code) => code.includes('mneme/vite')),
  ];
  if (!snippet || !viteConfig) throw new Error('The README has lost its snippet or its vite.config.ts');
  host = await createHost(tarball, app.devDependencies.vite!, {
    main: `${snippet}${REPORT}`,
    viteConfig,
    env: 'VITE_MNEME_MODELS=/models/\n',
    publicLinks: { 'models/Xenova/all-MiniLM-L6-v2': join(testModelsFolder(), 'fixtures/toy-bow-embedder-384') },
  });
}, 600_000);

afterAll(async () => {
  await closeBrowser();
  await Promise.all(servers.map((server) => server.stop()));
  removeHost(host);
});

/** Opens the host, waits for the snippet to finish (or fail) and returns what it reported. */
async function runSnippet(server: HostServer): Promise<Report> {
  const { context, page, errors } = await newPage();
  const outside: string[] = [];
  const consoleErrors: string[] = [];
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      outside.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('report') !== null || document.title.startsWith('failed'));
  expect(await page.title(), `the snippet failed; the server said:\n${server.output()}`).toBe('A clean host');
  const report = JSON.parse(await page.locator('#report').innerText()) as Report;
  expect(errors).toEqual([]);
  expect(consoleErrors.filter((text) => /WORKER_FAILED|memory worker failed/i.test(text))).toEqual([]);
  expect(outside, 'the host serves the models itself: nothing leaves 127.0.0.1').toEqual([]);
  expect(server.output()).not.toMatch(/error|failed to resolve/i);
  await context.close();
  return report;
}

function expectSnippetWorked(report: Report): void {
  expect(report.hits[0]).toBe('I take my coffee black');
  expect(report.prompt).toContain('<relevant_memories>');
  expect(report.prompt).toContain('I take my coffee black');
  expect(report.status).toMatchObject({
    mode: 'worker',
    memories: 1,
    retrieval: 'hybrid',
    embedder: { state: 'ready', model: 'Xenova/all-MiniLM-L6-v2' },
  });
  // The lazy chunks loaded and ran: sync answers that it is not set up (not that its code is missing).
  expect(report.exported).toBe(1);
  expect(report.sync).toBe('INVALID_ARGUMENT');
}

describe('the mneme tarball in a fresh Vite app outside the repository', () => {
  it('runs the README snippet from the dev server', async () => {
    const dev = await startHost(host!, 'dev');
    servers.push(dev);
    expectSnippetWorked(await runSnippet(dev));
  });

  it('runs the README snippet from the production build', async () => {
    const output = await buildHost(host!);
    expect(output).not.toMatch(/failed to resolve|could not resolve|externalized for browser/i);
    const preview = await startHost(host!, 'preview');
    servers.push(preview);
    expectSnippetWorked(await runSnippet(preview));
  }, 180_000);
});
