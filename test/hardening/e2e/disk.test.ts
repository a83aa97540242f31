/**
 * Hardening: what Chromium leaves on disk. A persistent profile directory, the SDK in a page of the
 * dev server; canary words go into memories, turns, profile entries and a rolling summary; after
 * each operation the context closes and every file under the directory is searched for every
 * canary, as Latin-1/UTF-8 bytes and as UTF-16 (how V8 serialises one- and two-byte strings).
 *  - enable + lock + close: no canary of the plain profile is left;
 *  - a passphrase change: the old key envelope's wrapped key is nowhere on disk;
 *  - a deleted memory and a deleted session (what "forget" removes), then close: gone; what was
 *    kept is still found (the search works);
 *  - wipe: nothing of the profile is left.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import type { ChatModel, MemoryClient, MemoryClientOptions } from '../../../src/sdk/index';
import { chromiumArgs, chromiumPath } from '../../support/environment';
import { exposeRawIndexedDB, STATE_TIMEOUT } from '../../e2e/browser';

declare global {
  interface Window {
    createMemoryClient(options: MemoryClientOptions): Promise<MemoryClient>;
    summaryModel(summary: string): ChatModel;
    client?: MemoryClient;
  }
}

const root = fileURLToPath(new URL('../../..', import.meta.url));
let server: ViteDevServer;
let page: string;
const folders: string[] = [];

beforeAll(async () => {
  server = await createServer({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  page = new URL('test/hardening/e2e/disk-page.html', server.resolvedUrls!.local[0]!).href;
});

afterAll(async () => {
  await server?.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const word = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(14)), (byte) => String.fromCharCode(97 + (byte % 26))).join('');

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? files(path) : entry.isFile() ? [path] : [];
  });
}

/** Which of `needles` occur in any file under `folder` (as bytes or as UTF-16), with where. */
function onDisk(folder: string, needles: (string | Uint8Array)[]): string[] {
  const forms = needles.map((needle) =>
    typeof needle === 'string' ? [Buffer.from(needle, 'latin1'), Buffer.from(needle, 'utf16le')] : [Buffer.from(needle)],
  );
  const found: string[] = [];
  for (const file of files(folder)) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    forms.forEach((variants, i) => {
      if (variants.some((variant) => bytes.includes(variant)))
        found.push(`${String(needles[i]).slice(0, 20)} in ${file.slice(folder.length)}`);
    });
  }
  return found;
}

/** Opens the persistent profile directory on the page, runs `work`, closes everything. */
async function session<T>(folder: string, work: (page: Page) => Promise<T>): Promise<T> {
  const context: BrowserContext = await chromium.launchPersistentContext(folder, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    headless: true,
  });
  context.setDefaultTimeout(STATE_TIMEOUT);
  try {
    await exposeRawIndexedDB(context);
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.goto(page);
    await tab.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    return await work(tab);
  } finally {
    await context.close();
  }
}

interface Canaries {
  memory: string;
  kept: string;
  turn: string;
  profile: string;
  summary: string;
}

/** Writes one canary per layer into profile `profileId` (plain) and closes the client. */
function writeCanaries(tab: Page, profileId: string, c: Canaries): Promise<{ memoryId: string; sessionId: string }> {
  return tab.evaluate(
    async ({ profileId, c }) => {
      const client = await window.createMemoryClient({
        profileId,
        embedder: 'fixtures/toy-bow-embedder-384',
        modelsBaseUrl: '/models/',
        chatModel: window.summaryModel(`They talked about ${c.summary}`),
      });
      const memory = await client.memories.add(`The vault code is ${c.memory}`);
      await client.memories.add(`The garden gate is ${c.kept}`);
      await client.profile.update([{ op: 'add', field: 'interests', value: c.profile }]);
      const session = await client.sessions.create('A talk');
      for (let i = 0; i < 4; i++)
        await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: `turn ${i} ${c.turn}` });
      await client.outbox.drain();
      const summary = await client.sessions.summarise(session.id, { threshold: 3, batch: 3 });
      if (!summary?.text.includes(c.summary)) throw new Error('no summary was written');
      await client.close();
      return { memoryId: memory.id, sessionId: session.id };
    },
    { profileId, c },
  );
}

const canaries = (): Canaries => ({ memory: word(), kept: word(), turn: word(), profile: word(), summary: word() });

it('leaves no readable copy on disk after enable, passphrase change, delete, forget and wipe', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'mneme-disk-'));
  folders.push(folder);

  // 1. A plain profile with a canary in every layer: on disk, readable (the search works).
  const sealedLater = canaries();
  await session(folder, (tab) => writeCanaries(tab, 'diskenc', sealedLater));
  expect(onDisk(folder, Object.values(sealedLater)).length).toBeGreaterThanOrEqual(5);

  // 2. Encryption on, lock, close: none of them is left anywhere.
  const oldWrappedKey = await session(folder, (tab) =>
    tab.evaluate(async () => {
      const client = await window.createMemoryClient({ profileId: 'diskenc', embedder: false });
      await client.encryption.enable('first passphrase 1');
      await client.encryption.lock();
      await client.close();
      const db = await window.openRawDatabase('mneme-diskenc');
      const envelope = await new Promise<{ value: { wrappedKey: ArrayBuffer } }>((resolve, reject) => {
        const request = db.transaction('settings').objectStore('settings').get('crypto.envelope');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return [...new Uint8Array(envelope.value.wrappedKey)];
    }),
  );
  expect(onDisk(folder, Object.values(sealedLater))).toEqual([]);
  expect(onDisk(folder, [Uint8Array.from(oldWrappedKey)]).length).toBeGreaterThan(0);

  // 3. A new passphrase (a new data key): the old envelope is nowhere on disk.
  await session(folder, (tab) =>
    tab.evaluate(async () => {
      const client = await window.createMemoryClient({ profileId: 'diskenc', embedder: false });
      await client.encryption.changePassphrase('first passphrase 1', 'second passphrase 2');
      await client.close();
    }),
  );
  expect(onDisk(folder, [Uint8Array.from(oldWrappedKey)])).toEqual([]);

  // 4. Delete a memory and a session (what "forget" removes), close: gone; what was kept stays.
  const deleted = canaries();
  const { memoryId, sessionId } = await session(folder, (tab) => writeCanaries(tab, 'diskdel', deleted));
  await session(folder, (tab) =>
    tab.evaluate(
      async ({ memoryId, sessionId }) => {
        const client = await window.createMemoryClient({ profileId: 'diskdel', embedder: false });
        await client.memories.delete(memoryId);
        await client.sessions.delete(sessionId);
        await client.close(); // compaction is due after deletes: it runs here
      },
      { memoryId, sessionId },
    ),
  );
  expect(onDisk(folder, [deleted.memory, deleted.turn, deleted.summary])).toEqual([]);
  expect(onDisk(folder, [deleted.kept]).length).toBeGreaterThan(0);

  // 5. Wipe: nothing of the profile is left.
  await session(folder, (tab) =>
    tab.evaluate(async () => {
      const client = await window.createMemoryClient({ profileId: 'diskdel', embedder: false });
      await client.data.wipe();
      await client.close();
    }),
  );
  expect(onDisk(folder, Object.values(deleted))).toEqual([]);
}, 600_000);
