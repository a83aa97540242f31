/**
 * `npm run screenshots`: redraws the README screenshots in docs/ from the real app. Builds it into
 * a temporary folder, serves it with `vite preview` on 127.0.0.1 (models from MNEME_MODELS, default
 * ../shared/models), starts the scripted chat server (scripts/screenshot-chat-server.mjs) and drives
 * Chromium as a user: first run, Settings → external server, three turns about herself, a new
 * conversation where the reply leans on what memory learnt, then the inspector, the Memory and
 * Profile tabs, the Memory tab on a dark phone, and Settings → Devices & sync with sync on (a
 * throwaway sync server, scripts/sync-server.mjs, on 127.0.0.1). `--sync-only` takes just that
 * last one. Every step waits for a state; a step that does not arrive within STEP_MS fails the run
 * with its name.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../tooling/chromium.js';
import { CONVERSATION, startScriptedChatServer } from './screenshot-chat-server.mjs';
import { startSyncServer } from './sync-server.mjs';

const root = new URL('..', import.meta.url).pathname;
const docs = join(root, 'docs');
const STEP_MS = Number(process.env.SCREENSHOT_STEP_MS ?? 180_000);
const MODEL = 'scripted-demo';
const DESKTOP = { width: 1200, height: 800 };
const INSPECTOR = { width: 1200, height: 1080 };
const PHONE = { width: 360, height: 740 };
const SYNC_ONLY = process.argv.includes('--sync-only');

/** Runs one step, naming it in the error when it fails. */
async function step(name, action) {
  process.stdout.write(`· ${name}\n`);
  try {
    return await action();
  } catch (error) {
    throw new Error(`screenshots: “${name}” failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The outbox in IndexedDB has no pending or running job, and at least `facts` facts are stored. */
async function memoryWorkDone(page, facts) {
  const state = await page.waitForFunction(
    async (wanted) => {
      const db = await new Promise((done, fail) => {
        const request = indexedDB.open('mneme-default');
        request.onsuccess = () => done(request.result);
        request.onerror = () => fail(request.error);
      });
      const all = (store) =>
        new Promise((done, fail) => {
          const request = db.transaction(store, 'readonly').objectStore(store).getAll();
          request.onsuccess = () => done(request.result);
          request.onerror = () => fail(request.error);
        });
      const [outbox, memories] = await Promise.all([all('outbox'), all('memories')]);
      db.close();
      const failed = outbox.filter((job) => job.state === 'failed').map((job) => job.kind);
      if (failed.length) return { failed };
      const busy = outbox.some((job) => job.state === 'pending' || job.state === 'running');
      const stored = memories.filter((memory) => memory.kind === 'fact').length;
      return !busy && stored >= wanted ? { stored } : false;
    },
    facts,
    { polling: 250, timeout: STEP_MS },
  );
  const result = await state.jsonValue();
  if (result.failed) throw new Error(`memory jobs failed: ${result.failed.join(', ')}`);
}

const composer = (page) => page.getByRole('textbox', { name: 'Message' });
const chips = (page) => page.getByRole('button', { name: /memor(y|ies) used · see context of the reply/ });

/** Sends one message and waits for its reply's "memories used" chip. */
async function say(page, text) {
  const before = await chips(page).count();
  await composer(page).and(page.locator(':enabled')).waitFor({ timeout: STEP_MS });
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await chips(page).nth(before).waitFor({ timeout: STEP_MS });
}

/** The Memory screen on `tab`, once its content has arrived. */
async function openMemoryTab(page, tab, ready) {
  await page.getByRole('link', { name: 'Memory', exact: true }).click();
  await page.getByRole('tab', { name: tab, exact: true }).click();
  await ready.waitFor({ timeout: STEP_MS });
  await page
    .getByRole('status')
    .filter({ hasText: /Opening|loading the model/ })
    .waitFor({ state: 'detached', timeout: STEP_MS });
}

/**
 * Settings → Devices & sync, sync on, a second device joined (a second browser context, so the
 * list shows two devices), the pairing code shown (a throwaway key on a throwaway server).
 */
async function syncShot(page, url) {
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const section = page.getByRole('region', { name: 'Devices & sync' });
  await section.getByLabel('Sync server').fill(url);
  await section.getByRole('button', { name: 'Turn on sync' }).click();
  await section.locator('dd[data-state="idle"]').waitFor({ timeout: STEP_MS });
  await section.getByRole('button', { name: 'Show the pairing code' }).click();
  await section.getByRole('img', { name: 'QR code of the pairing code' }).waitFor({ timeout: STEP_MS });
  const code = await section.getByLabel('Pairing code', { exact: true }).inputValue();
  const phone = await page.context().browser().newContext({ viewport: DESKTOP, colorScheme: 'light' });
  try {
    const other = await phone.newPage();
    await other.goto(page.url().split('#')[0]);
    await other.getByRole('button', { name: 'Skip: use memory without a chat model' }).click({ timeout: STEP_MS });
    await other.getByRole('link', { name: 'Settings', exact: true }).click();
    const join = other.getByRole('region', { name: 'Devices & sync' });
    await join.getByLabel('Pairing code or recovery phrase').fill(code);
    await join.getByRole('button', { name: 'Join', exact: true }).click();
    await join.locator('dd[data-state="idle"]').waitFor({ timeout: STEP_MS });
    await section.getByRole('list', { name: 'Devices' }).getByRole('listitem').nth(1).waitFor({ timeout: STEP_MS });
  } finally {
    await phone.close();
  }
  await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
  await section.screenshot({ path: join(docs, 'screenshot-sync.png') });
}

async function main() {
  process.env.MNEME_MODELS = resolve(root, process.env.MNEME_MODELS ?? '../shared/models');
  if (!existsSync(join(process.env.MNEME_MODELS, 'local', 'glove-sif-100d'))) {
    throw new Error(
      `screenshots: no local/glove-sif-100d in the models folder ${process.env.MNEME_MODELS} (set MNEME_MODELS to the shared models folder)`,
    );
  }
  const cleanup = [];
  try {
    const outDir = mkdtempSync(join(tmpdir(), 'mneme-shots-'));
    cleanup.push(() => rmSync(outDir, { recursive: true, force: true }));
    const configFile = join(root, 'vite.config.ts');
    // The scripted server first: the app's Content-Security-Policy must name its origin (MNEME_CHAT_ORIGIN).
    const chat = await startScriptedChatServer(MODEL);
    cleanup.push(() => chat.close());
    process.env.MNEME_CHAT_ORIGIN = new URL(chat.url).origin;
    // Likewise the sync server's (MNEME_SYNC_ORIGIN).
    const sync = await startSyncServer();
    cleanup.push(() => sync.stop());
    process.env.MNEME_SYNC_ORIGIN = new URL(sync.url).origin;
    await step('build the app', () => build({ root, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } }));
    const server = await step('serve it with vite preview', () =>
      preview({ root, configFile, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, open: false } }),
    );
    cleanup.push(() => server.close());
    const baseURL = server.resolvedUrls?.local[0];
    if (!baseURL) throw new Error('screenshots: vite preview did not report its address');
    const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
    cleanup.push(() => browser.close());
    const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1, colorScheme: 'light' });
    // Nothing but the app and the scripted server: the screenshots never depend on the network.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort('internetdisconnected'));
    context.setDefaultTimeout(STEP_MS);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));

    try {
      await step('first run: skip the chat model download', async () => {
        await page.goto(baseURL);
        await page.getByRole('button', { name: 'Skip: use memory without a chat model' }).click({ timeout: STEP_MS });
      });
      const chatShots = async () => {
        await step('Settings: use the scripted external server', async () => {
          await page.getByRole('link', { name: 'Settings', exact: true }).click();
          await page.getByText('Use an external server (off by default)').click({ timeout: STEP_MS });
          await page.getByLabel('Server URL').fill(chat.url);
          await page.getByLabel('Model name').fill(MODEL);
          await page.getByLabel('I understand my text is sent to this server').check();
          await page.getByRole('button', { name: 'Use this server' }).click();
          await page.getByText('external server: text leaves this device').waitFor({ timeout: STEP_MS });
        });
        const [last, ...told] = [...CONVERSATION].reverse();
        let facts = 0;
        await page.getByRole('link', { name: 'Chat', exact: true }).click();
        for (const turn of told.reverse()) {
          await step(`chat: “${turn.user}”`, () => say(page, turn.user));
          facts += turn.facts.length;
          await step('wait for the memory work of that turn', () => memoryWorkDone(page, facts));
        }
        await step(`a new conversation: “${last.user}”`, async () => {
          await page.getByRole('button', { name: 'New conversation', exact: true }).click();
          await say(page, last.user);
          const chip = chips(page).last();
          const used = Number((await chip.innerText()).match(/^(\d+)/)?.[1] ?? 0);
          if (used < 3) throw new Error(`the reply used ${used} memories, expected several`);
          await memoryWorkDone(page, facts);
        });
        await step('docs/screenshot-chat.png', async () => {
          // The composer keeps the focus after sending; its ring would draw the eye away from the reply.
          await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
          await page.screenshot({ path: join(docs, 'screenshot-chat.png') });
        });
        await step('docs/screenshot-inspector.png', async () => {
          await chips(page).last().click();
          const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
          await inspector.getByText('<relevant_memories>', { exact: true }).waitFor({ timeout: STEP_MS });
          await inspector.getByText('<user_profile>', { exact: true }).waitFor({ timeout: STEP_MS });
          // Taller than the chat shot, so the profile section of the prompt shows below the facts.
          await page.setViewportSize(INSPECTOR);
          await page.screenshot({ path: join(docs, 'screenshot-inspector.png') });
          await page.setViewportSize(DESKTOP);
          await inspector.getByRole('button', { name: 'Close the context inspector' }).click();
          await inspector.waitFor({ state: 'hidden' });
        });
        const factList = page.getByRole('region', { name: 'Your memories', exact: true }).getByRole('listitem');
        await step('docs/screenshot-memory.png', async () => {
          await openMemoryTab(page, 'Memories', factList.filter({ hasText: 'half marathon' }).first());
          await page.screenshot({ path: join(docs, 'screenshot-memory.png'), fullPage: true });
        });
        await step('docs/screenshot-profile.png', async () => {
          await openMemoryTab(page, 'Profile', page.getByText('Finish a half marathon in October').first());
          await page.screenshot({ path: join(docs, 'screenshot-profile.png'), fullPage: true });
        });
        await step('docs/screenshot-phone-dark.png', async () => {
          await page.setViewportSize(PHONE);
          await page.emulateMedia({ colorScheme: 'dark' });
          await openMemoryTab(page, 'Memories', factList.filter({ hasText: 'half marathon' }).first());
          // The list of memories, not the form above it, is what a phone screenshot should show.
          await page
            .getByRole('region', { name: 'Your memories', exact: true })
            .evaluate((list) => list.scrollIntoView({ block: 'start' }));
          await page.screenshot({ path: join(docs, 'screenshot-phone-dark.png') });
        });
      };
      if (!SYNC_ONLY) await chatShots();
      await step('docs/screenshot-sync.png', () => syncShot(page, sync.url));
    } catch (error) {
      const path = join(tmpdir(), 'mneme-screenshots-failure.png');
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      const more = [...chat.problems.map((p) => `chat server: ${p}`), ...errors.map((e) => `page error: ${e}`)];
      throw new Error([error instanceof Error ? error.message : String(error), ...more, `(the page then: ${path})`].join('\n'));
    }
    if (chat.problems.length || errors.length) {
      throw new Error(`screenshots: taken, but something went wrong on the way:\n${[...chat.problems, ...errors].join('\n')}`);
    }
    process.stdout.write(`screenshots: ${SYNC_ONLY ? 'one PNG' : 'six PNGs'} in ${docs}\n`);
  } finally {
    for (const undo of cleanup.reverse()) await Promise.resolve(undo()).catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
