/**
 * The Content-Security-Policy holds everywhere code runs: the page, the memory worker (which holds
 * decrypted memories), the LLM worker and the service worker each take the policy from their own
 * script's response, so every response carries it as a header. A fetch to a foreign origin (a
 * loopback address that is not the app) from any of them is blocked before it leaves; the app
 * cannot be framed; the chat server the build was told about is the only one it may call.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page, Worker } from 'playwright-core';
import { appReady, closeBrowser, newPage, openApp, shot, waitForServiceWorker } from './browser';

afterAll(closeBrowser);

/** A server on 127.0.0.2 (loopback, but another origin than the app): it counts what reaches it. */
let foreign: Server;
let foreignOrigin: string;
const arrived: string[] = [];

beforeAll(async () => {
  foreign = createServer((request, response) => {
    if (request.url === '/frame') {
      response.writeHead(200, { 'content-type': 'text/html' });
      return void response.end(
        `<!doctype html><title>host</title><iframe src="${inject('baseURL')}" onload="document.title = 'frame loaded'"></iframe>`,
      );
    }
    arrived.push(request.url ?? '');
    response.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' });
    response.end('leaked');
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.2', resolve));
  foreignOrigin = `http://127.0.0.2:${(foreign.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => foreign.close(() => resolve())));

interface Attempt {
  /** The fetch rejected. */
  rejected: boolean;
  /** The directive the scope's `securitypolicyviolation` event named. */
  violated: string;
}

/** Runs in the scope under test (page, worker or service worker): one foreign fetch, and the violation it reports. */
async function tryForeignFetch(url: string): Promise<Attempt> {
  const violation = new Promise<string>((resolve) => {
    globalThis.addEventListener('securitypolicyviolation', (event) =>
      resolve((event as SecurityPolicyViolationEvent).effectiveDirective),
    );
  });
  try {
    // no-cors: without the policy this goes out and comes back (opaque); CORS cannot be why it fails.
    await fetch(url, { mode: 'no-cors', cache: 'no-store' });
    return { rejected: false, violated: 'none' };
  } catch {
    return { rejected: true, violated: await violation };
  }
}

const workerNamed = (page: Page, name: RegExp): Worker | undefined => page.workers().find((worker) => name.test(worker.url()));

describe('the Content-Security-Policy', () => {
  it('comes as a header with every response, frame-ancestors included, and allows only the configured chat server', async () => {
    const base = inject('baseURL');
    for (const path of ['', 'sw.js', 'manifest.webmanifest', 'models/manifest.json', 'no/such/file']) {
      const response = await fetch(new URL(path, base));
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy, path || 'index.html').toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const connect = policy.split('; ').find((directive) => directive.startsWith('connect-src '));
      // No port range on this machine: the relay's origin is the build's one chat server.
      expect(connect).toContain(` ${inject('chatRelay')}`);
      expect(connect).not.toMatch(/localhost|127\.0\.0\.1:\*|\*:/);
    }
    // The same policy for static hosts that read a _headers file.
    const headersFile = await (await fetch(new URL('_headers', base))).text();
    expect(headersFile).toContain(`Content-Security-Policy: ${(await fetch(base)).headers.get('content-security-policy')}`);
  });

  it('keeps the page, the memory worker, the LLM worker and the service worker from calling a foreign origin', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${inject('baseURL')}#/welcome`);
    await appReady(page, '#/welcome');
    await waitForServiceWorker(page, '#/welcome');
    // The local story model runs in the LLM worker: loading it starts that worker.
    await page.getByLabel(/Recommended for this device/).selectOption('karpathy/tinyllamas-stories260K');
    await page.getByRole('button', { name: 'Download and start' }).click();
    await page.getByRole('textbox', { name: 'Message' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });

    const memoryWorker = workerNamed(page, /memory\.worker/);
    const llmWorker = workerNamed(page, /llm\.worker/);
    const serviceWorker = context.serviceWorkers()[0];
    expect(memoryWorker, 'the memory worker runs').toBeDefined();
    expect(llmWorker, 'the LLM worker runs').toBeDefined();
    expect(serviceWorker, 'the service worker runs').toBeDefined();

    const scopes: [string, Page | Worker][] = [
      ['page', page],
      ['memory worker', memoryWorker!],
      ['LLM worker', llmWorker!],
      ['service worker', serviceWorker!],
    ];
    for (const [name, scope] of scopes) {
      const url = `${foreignOrigin}/from-${name.replace(' ', '-')}`;
      const attempt = await ('mainFrame' in scope ? scope.evaluate(tryForeignFetch, url) : scope.evaluate(tryForeignFetch, url));
      expect(attempt, `${name}: the foreign fetch is refused as a connect-src violation`).toEqual({
        rejected: true,
        violated: 'connect-src',
      });
    }
    // Nothing reached the foreign server, though it answers anyone (a fetch from Node gets through).
    expect(arrived).toEqual([]);
    await expect((await fetch(`${foreignOrigin}/from-node`)).text()).resolves.toBe('leaked');
    expect(arrived).toEqual(['/from-node']);
    arrived.length = 0;
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cannot be framed by another site', async () => {
    const { context, page } = await newPage();
    await page.goto(`${foreignOrigin}/frame`);
    // The host page marks its frame's load event (a refused frame still loads: an error page).
    await page.waitForFunction(() => document.title === 'frame loaded');
    const child = page.frames().find((frame) => frame !== page.mainFrame())!;
    expect(child.url()).not.toContain(inject('baseURL'));
    await expect(child.getByRole('heading', { name: 'Mneme', level: 1 }).count()).resolves.toBe(0);
    // The same app opens normally at the top level.
    await page.goto(inject('baseURL'));
    await appReady(page, '#/welcome');
    await context.close();
  });

  it('says in Settings when a typed chat server is one the policy blocks, and offers only the allowed one', async () => {
    arrived.length = 0;
    const { context, page, errors } = await openApp({}, { route: '#/settings' });
    await page.getByText('Use an external server (off by default)').click();
    const url = page.getByLabel('Server URL');
    const use = page.getByRole('button', { name: 'Use this server' });
    const note = page.getByRole('note').filter({ hasText: 'may not call' });
    await page.getByLabel('Model name').fill('some-model');
    await page.getByLabel('I understand my text is sent to this server').check();
    // The form's default (Ollama on this machine) is not in this build's policy.
    await expect(url.inputValue()).resolves.toBe('http://localhost:11434/v1');
    await note.waitFor();
    expect(await note.innerText()).toContain(
      `This copy of Mneme may not call http://localhost:11434: its security policy allows only ${inject('chatRelay')}`,
    );
    expect(await note.innerText()).toContain('MNEME_CHAT_ORIGIN=http://localhost:11434');
    await expect(url.getAttribute('aria-describedby')).resolves.toBe('ext-blocked');
    await expect(use.isDisabled()).resolves.toBe(true);
    await note.screenshot({ path: shot('e2e-settings-blocked-chat-server') });
    await url.fill(`${foreignOrigin}/v1`);
    await note.filter({ hasText: foreignOrigin }).waitFor();
    await expect(use.isDisabled()).resolves.toBe(true);
    // The build's own chat server: no note, and the button works.
    await url.fill(`${inject('chatRelay')}/1/v1`);
    await note.waitFor({ state: 'detached' });
    await expect(use.isEnabled()).resolves.toBe(true);
    expect(arrived).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
