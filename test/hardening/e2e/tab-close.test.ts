/**
 * tab-close: the app chats through a local OpenAI-compatible server that answers the memory jobs
 * (fact extraction, profile update, summary) slowly. Each trial says a new code word, waits for
 * the reply, then closes the page at a random moment while those jobs run, and opens the app
 * again in the same browser profile. The outbox must resume: every job ends `done` or `failed`
 * (and a failure shows in the page); each code word's fact is stored once, never twice, and the
 * conversation keeps every turn, once.
 */
import { afterAll, expect, it, inject } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { Random, Tally, trials } from '../harness';
import { appReady, closeBrowser, markWelcomed, newPage, shot } from '../../e2e/browser';
import { startChatServer } from './chat-server';

afterAll(closeBrowser);

const MODEL = 'slow-memory-model';

/** Chat replies at once; memory jobs (structured answers) after a random delay. */
async function startServer(seed: number) {
  const seen = { structured: 0 };
  const server = await startChatServer(MODEL, async (body) => {
    const schema = body.response_format?.json_schema?.schema;
    if (!body.response_format) return 'Noted, I will keep that in mind.';
    seen.structured++;
    // The delay depends on the seed and the job's prompt, not on how many jobs came before.
    const delay = Random.for(seed, JSON.stringify(body.messages)).int(100, 2500);
    await new Promise((resolve) => setTimeout(resolve, delay));
    return JSON.stringify(answer(Object.keys(schema?.properties ?? {}), JSON.stringify(body.messages)));
  });
  return { seen, ...server };
}

/** Valid answers for each memory job: one fact per code word the turns mention. */
function answer(keys: string[], prompt: string): unknown {
  const words = [...new Set([...prompt.matchAll(/code word is (cw\d+)/g)].map((match) => match[1]!))];
  if (keys.includes('facts'))
    return { facts: words.map((word) => ({ text: `The user's code word is ${word}`, importance: 0.6 })) };
  if (keys.includes('relation')) return { relation: 'complementary', candidate: 1 };
  if (keys.includes('patches')) return { patches: [] };
  if (keys.includes('summary')) return { summary: `They exchanged code words: ${words.join(', ') || 'none'}.` };
  return {};
}

interface Stored {
  jobs: { state: string; kind: string }[];
  facts: string[];
  turns: string[];
}

/** What the profile's database holds, read with raw IndexedDB from the page. */
function readStore(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('mneme-default');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const all = (store: string) =>
      new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const request = db.transaction(store, 'readonly').objectStore(store).getAll();
        request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
        request.onerror = () => reject(request.error);
      });
    const [outbox, memories, turns] = await Promise.all([all('outbox'), all('memories'), all('turns')]);
    db.close();
    return {
      jobs: outbox.map((job) => ({ state: String(job.state), kind: String(job.kind) })),
      facts: memories.filter((m) => m.kind === 'fact').map((m) => String(m.text)),
      turns: turns.map((t) => String(t.content)),
    };
  });
}

async function openChat(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${inject('baseURL')}#/chat`);
  await page.getByRole('heading', { name: 'Mneme', level: 1 }).waitFor();
  return page;
}

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

it('tab-close: memory work resumes after the page closes mid-extraction, and runs once', { timeout: 1_800_000 }, async () => {
  const tally = new Tally('tab-close');
  const server = await startServer(tally.seed + 7);
  const { context, page: first, errors } = await newPage();
  try {
    await markWelcomed(context);
    await first.goto(`${inject('baseURL')}#/settings`);
    await appReady(first, '#/settings');
    await first.getByText('Use an external server (off by default)').click();
    await first.getByLabel('Server URL').fill(server.url);
    await first.getByLabel('Model name').fill(MODEL);
    await first.getByLabel('I understand my text is sent to this server').check();
    await first.getByRole('button', { name: 'Use this server' }).click();
    await first.getByText('external server: text leaves this device').waitFor();
    await first.close();

    const said: string[] = [];
    const size = trials(20, 4);
    for (let t = 0; t < size; t++) {
      const word = `cw${tally.seed % 100_000}${t}`;
      await tally.trial(word, async () => {
        const page = await openChat(context, errors);
        const message = `Please remember: my code word is ${word}.`;
        const replies = await page.getByText('Noted, I will keep that in mind.').count();
        await composer(page)
          .and(page.locator(':enabled'))
          .waitFor()
          .catch(async (error: unknown) => {
            await page.screenshot({ path: shot('tab-close-composer') });
            throw error;
          });
        await composer(page).fill(message);
        await composer(page).press('Enter');
        await expect
          .poll(() => page.getByText('Noted, I will keep that in mind.').count(), { timeout: 30_000 })
          .toBe(replies + 1);
        said.push(word);
        const requested = server.seen.structured;
        // Close while the memory jobs of this reply are queued or waiting for the slow model.
        await page.waitForTimeout(tally.random.int(0, 1500));
        const midway = server.seen.structured > requested;
        await page.close();

        const again = await openChat(context, errors);
        let stored = await readStore(again);
        for (let wait = 0; wait < 120 && stored.jobs.some((job) => job.state === 'pending' || job.state === 'running'); wait++) {
          await again.waitForTimeout(250);
          stored = await readStore(again);
        }
        const problems: string[] = [];
        const open = stored.jobs.filter((job) => job.state === 'pending' || job.state === 'running');
        if (open.length > 0) problems.push(`${open.length} jobs never finished (${open.map((job) => job.kind).join(', ')})`);
        const failed = stored.jobs.filter((job) => job.state === 'failed').length;
        if (failed > 0 && !(await again.getByText(/memory updates? failed/).isVisible()))
          problems.push(`${failed} failed jobs not shown`);
        for (const earlier of said) {
          const facts = stored.facts.filter((fact) => fact === `The user's code word is ${earlier}`).length;
          if (facts !== 1 && !(facts === 0 && failed > 0)) problems.push(`the fact for ${earlier} is stored ${facts} times`);
          const turns = stored.turns.filter((turn) => turn.includes(`code word is ${earlier}.`)).length;
          if (turns !== 1) problems.push(`the turn saying ${earlier} is stored ${turns} times`);
        }
        if (!midway && t === 0) console.log('tab-close: the first close came before the model was asked');
        await again.close();
        return problems;
      });
    }
    console.log(`tab-close: ${server.seen.structured} memory-job requests for ${said.length} replies`);
  } finally {
    await server.close();
  }
  tally.report();
  expect(errors).toEqual([]);
});
