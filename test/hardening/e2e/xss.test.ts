/**
 * Hardening: hostile text never runs in the app. Numbered payloads (xss-payloads.ts) go into
 * every place the built app shows user- or model-supplied text: an import file (memories and
 * their metadata, history, sessions and turns, summaries, profile keys and values, episodes,
 * a refused import's error), the composer, the memory editor, the profile and task forms, and
 * the replies of a tiny OpenAI-compatible server started here, which streams payloads as chat
 * replies and as extracted facts, profile patches and summaries. The test then visits every
 * screen and tab, opens every memory, conversation and context inspector, and reloads.
 *
 * One trial per payload. It fails when its canary ran (`xssCanary(n)`, installed by an init
 * script and a page binding), when a CSP violation, a dangerous element or attribute, a dialog
 * or a page error shows up while it was on screen, or when a step showing it failed. Every
 * screen that could render a payload as markup (a chat reply) shows one payload at a time, so a
 * finding is charged to its own payload, never to the others of a batch.
 *
 * A seed replays a run: the payloads, the order of the steps, where each streamed reply is cut
 * and what each memory job answers depend on the seed and the payloads alone, never on timing.
 *
 * The run says where it is as it goes (`xss step <k> at <s> s: <step>` on stderr), and no step
 * holds it: each is bounded (xss-page.ts), a failed step is charged to its payloads and the app is
 * opened again before the next, and a page that does not come back stops the run naming the step.
 */
import { afterAll, describe, it, onTestFailed } from 'vitest';
import type { Page } from 'playwright-core';
import { Tally, isFull, trials } from '../harness';
import { appReady, chooseChatServer, closeBrowser, memoryList, newPage, markWelcomed } from '../../e2e/browser';
import { inject } from 'vitest';
import { makePayloads, payloadNumbers, type Payload } from './xss-payloads';
import { MODEL, squash, startEchoServer, type EchoServer } from './xss-echo';
import { importFile } from './xss-import';
import { WAIT_TIMEOUT, installCanary, progress, Watch } from './xss-page';
import { stripInvisible } from '../../../src/core/invisible';

afterAll(closeBrowser);

/** Waits until `text` (whitespace aside) is on screen in the main content. */
async function shown(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    // eslint-disable-next-line no-control-regex -- control characters are part of the hostile text
    (wanted) => (document.querySelector('main')?.textContent ?? '').replace(/[\s\0-\x1f\u200b]+/g, '').includes(wanted),
    squash(text).slice(0, 200),
    { timeout: 15_000 },
  );
}

const nav = (page: Page, name: string) => page.getByRole('link', { name, exact: true }).click();

async function memoryTab(page: Page, tab: string, heading: string): Promise<void> {
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('heading', { name: heading, exact: true }).waitFor();
}

const MEMORY_TABS: [string, string][] = [
  ['Profile', 'Your profile'],
  ['Tasks', 'Tasks and what they taught'],
  ['Summaries', 'Conversation summaries'],
  ['Archive & audit', 'Audit trail'],
];

/** Every tab of the memory screen, then settings. */
async function visitEverything(watch: Watch, all: number[], label: string): Promise<void> {
  const { page } = watch;
  await watch.step(`memory list ${label}`, all, async () => {
    await nav(page, 'Memory');
    await memoryTab(page, 'Memories', 'Your memories');
  });
  for (const [tab, heading] of MEMORY_TABS) await watch.step(`${tab} tab ${label}`, all, () => memoryTab(page, tab, heading));
  await watch.step(`settings ${label}`, all, async () => {
    await nav(page, 'Settings');
    await page.getByRole('heading', { name: 'Your data' }).waitFor();
  });
}

/** Scrolls the memory list from top to bottom and opens every memory's detail (text and history). */

/**
 * The payloads a memory of the list holds: the ones whose text it is, contains or begins (an
 * extracted fact is a payload cut short), else the ones it names, else (a text of no payload)
 * every payload.
 */
function payloadsOf(text: string, payloads: Payload[], all: number[]): number[] {
  const plain = squash(text);
  const mine = payloads.filter((p) => {
    const own = squash(p.text);
    return plain.includes(own) || (plain.length >= 20 && own.startsWith(plain.replace(/\.+$/, '')));
  });
  if (mine.length > 0) return mine.map((p) => p.n);
  const named = payloadNumbers(text).filter((n) => all.includes(n));
  return named.length > 0 ? named : all;
}

/**
 * Opens the memory whose text is `text` from the rows the list has rendered, and checks that its
 * dialog shows that memory. Finding the row and clicking it is one step in the page, so a row
 * the list re-renders with another memory is never clicked by mistake.
 */
async function openMemory(page: Page, text: string): Promise<void> {
  const clicked = await memoryList(page)
    .locator('li')
    .evaluateAll((rows, wanted) => {
      const row = rows.find((li) => li.querySelector('.text')?.textContent === wanted);
      row?.querySelector('button')?.click();
      return row !== undefined;
    }, text);
  if (!clicked) throw new Error(`no row of the list shows “${text.slice(0, 60)}”`);
  const dialog = page.getByRole('dialog', { name: 'Memory' });
  await dialog.getByRole('heading', { name: 'History' }).waitFor();
  const opened = await dialog.getByLabel('Text').inputValue();
  if (opened !== text) throw new Error(`the row of “${text.slice(0, 60)}” opened “${opened.slice(0, 60)}”`);
}

/**
 * Walks the memory list row by row (by position, from the newest) and opens each memory's detail
 * (text and history), charging each to the payloads it holds.
 */
async function openEveryMemory(watch: Watch, payloads: Payload[], all: number[]): Promise<void> {
  const { page } = watch;
  await nav(page, 'Memory');
  await memoryTab(page, 'Memories', 'Your memories');
  const list = memoryList(page);
  const viewport = list.locator('.viewport');
  const seen = new Set<string>();
  for (let k = 1; k <= Number(await list.locator('li[aria-setsize]').first().getAttribute('aria-setsize')); k++) {
    // Row k at the top of the viewport; the list renders it once it has seen the scroll.
    await viewport.evaluate((el, at) => {
      el.scrollTop = (at - 1) * el.querySelector<HTMLElement>('li[aria-setsize]')!.offsetHeight;
    }, k);
    const row = list.locator(`li[aria-posinset="${k}"] .text`);
    const text =
      (await row.textContent().catch((error: Error) => {
        throw new Error(`memory detail ${k}: the list never rendered row ${k}: ${error.message.split('\n')[0]}`);
      })) ?? '';
    if (seen.has(text)) continue;
    seen.add(text);
    await watch.step(`memory detail ${k}: ${text.slice(0, 40)}`, payloadsOf(text, payloads, all), async () => {
      await openMemory(page, text);
      const dialog = page.getByRole('dialog', { name: 'Memory' });
      await dialog.locator('ol.audit, p.empty').first().waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
    });
  }
}

async function importThroughSettings(page: Page, json: string, name: string): Promise<void> {
  await nav(page, 'Settings');
  await page.getByLabel('Export file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(json) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

/**
 * A payload in its own new conversation: typed in the composer, streamed back as the reply.
 * `previous` is the payload of the conversation the chat screen last showed: opening the screen
 * shows it again until the new conversation replaces it, so what that does is charged to it.
 */
async function chatTurn(watch: Watch, server: EchoServer, p: Payload, previous: number[]): Promise<void> {
  const { page } = watch;
  await watch.step(`chat ${p.n}: a new conversation`, previous, async () => {
    await nav(page, 'Chat');
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.locator('article.message').first().waitFor({ state: 'detached' });
  });
  await watch.step(`chat ${p.n}: composer and streamed reply`, [p.n], async () => {
    server.reply = p.text;
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.and(page.locator(':enabled')).waitFor();
    await composer.fill(p.text);
    await composer.press('Enter');
    // The reply is done once it offers its context (a new conversation has no other reply).
    await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor({ timeout: 30_000 });
  });
  await watch.step(`chat ${p.n}: context inspector`, [p.n], async () => {
    await page.getByRole('button', { name: /memor(y|ies) used/ }).click();
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await inspector.getByText('<user_query>').first().waitFor();
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });
  });
}

/**
 * What a form gets for payload `p`: the payload behind a label of its own, so the step waits for
 * what it typed, never for the same payload already on screen from the import.
 */
const typed = (what: string, p: Payload) => `${what} ${p.n}: ${p.text}`;

/** The forms a person types into; payloads take turns, one payload per form filled. */
const FORMS: [string, (page: Page, p: Payload) => Promise<void>][] = [
  [
    'memory: remember and edit',
    async (page, p) => {
      await nav(page, 'Memory');
      await memoryTab(page, 'Memories', 'Your memories');
      await page.getByLabel('What should Mneme remember?').fill(typed('remember', p));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await shown(page, typed('remember', p));
      await memoryList(page)
        .locator('.viewport')
        .evaluate((el) => void (el.scrollTop = 0));
      // Typed text is stored (and so shown) without invisible format characters such as the zero-width space.
      await openMemory(page, stripInvisible(typed('remember', p)).trim());
      const dialog = page.getByRole('dialog', { name: 'Memory' });
      await dialog.getByLabel('Text').fill(typed('edited', p));
      await dialog.getByRole('button', { name: 'Save text' }).click();
      await dialog.getByRole('button', { name: 'Save text' }).and(page.locator(':disabled')).waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'hidden' });
    },
  ],
  [
    'profile: name',
    async (page, p) => {
      await nav(page, 'Memory');
      await memoryTab(page, 'Profile', 'Your profile');
      const name = page.getByLabel('Name', { exact: true });
      await name.fill(typed('name', p));
      await name.press('Enter');
      await page.getByText('Name saved.', { exact: true }).waitFor({ state: 'attached' });
    },
  ],
  [
    'profile: interest',
    async (page, p) => {
      await nav(page, 'Memory');
      await memoryTab(page, 'Profile', 'Your profile');
      await page.getByLabel('Add to interests').fill(typed('interest', p));
      await page.getByLabel('Add to interests').press('Enter');
      await shown(page, typed('interest', p).slice(0, 300));
    },
  ],
  [
    'profile: preference',
    async (page, p) => {
      await nav(page, 'Memory');
      await memoryTab(page, 'Profile', 'Your profile');
      await page.getByLabel('Preference', { exact: true }).fill(`tone ${p.n}`);
      await page.getByLabel('Value', { exact: true }).fill(typed('tone', p));
      await page.getByRole('button', { name: 'Set', exact: true }).click();
      await shown(page, typed('tone', p).slice(0, 300));
    },
  ],
  [
    'tasks: task, step and outcome',
    async (page, p) => {
      await nav(page, 'Memory');
      await memoryTab(page, 'Tasks', 'Tasks and what they taught');
      await page.getByLabel('New task').fill(typed('task', p));
      await page.getByLabel('New task').press('Enter');
      // This task's own entry (the list reloads once it is stored), never another open one.
      const episode = page.locator('li.episode').filter({ hasText: `task ${p.n}:` });
      await episode.getByLabel('Step').waitFor();
      await episode.getByLabel('Step').fill(typed('step', p));
      await episode.getByLabel('Outcome').fill(typed('outcome', p));
      await episode.getByRole('button', { name: 'Record' }).click();
      await shown(page, typed('outcome', p));
    },
  ],
  [
    'import: a refused file names a hostile id',
    async (page, p) => {
      const memory = {
        id: p.text.slice(0, 128),
        text: 'x',
        kind: 'note',
        importance: 0.5,
        pinned: false,
        createdAt: 1,
        updatedAt: 1,
        validFrom: 1,
        metadata: {},
      };
      const file = {
        format: 'mneme-export',
        version: 1,
        exportedAt: 1,
        profile: { id: 'default' },
        memories: [memory, memory],
        vectors: [],
        tables: {},
      };
      await importThroughSettings(page, JSON.stringify(file), `${p.text.slice(0, 40)}.json`);
      await page.getByRole('alert').filter({ hasText: 'appears twice' }).waitFor();
      await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
    },
  ],
];

describe('hostile text in the app', () => {
  it('never runs a payload, anywhere the app shows text', { timeout: 1_800_000 }, async () => {
    const tally = new Tally('xss');
    const payloads = makePayloads(trials(200, 40), tally.random);
    const all = payloads.map((p) => p.n);
    const server = await startEchoServer(tally.seed, payloads);
    const { page, context, errors } = await newPage();
    // A wait that is not met fails its step well within the step's bound (xss-page.ts).
    page.setDefaultTimeout(WAIT_TIMEOUT);
    const watch = new Watch(page, errors);
    progress(`seed ${tally.seed}: ${payloads.length} payloads`);
    onTestFailed(() => progress(`failed; the last step begun: “${watch.current}” (seed ${tally.seed})`));
    // After a failed step, the app opened again: a dialog or screen the step left behind holds no later step.
    const reload = async () => {
      await page.reload();
      await appReady(page, new URL(page.url()).hash);
    };
    watch.recover = reload;
    try {
      await markWelcomed(context);
      await context.addInitScript(installCanary);
      await watch.bind();
      await page.goto(`${inject('baseURL')}#/memory/facts`);
      await appReady(page);
      await watch.check('opening the app (before any payload)', all);

      await watch.step('settings: use the local echo server', all, async () => {
        await nav(page, 'Settings');
        await chooseChatServer(page, server.url, MODEL);
      });
      await watch.step('import: a file full of payloads', all, async () => {
        await importThroughSettings(page, importFile(payloads, Date.now()), 'hostile.json');
        await page.getByText(`Imported ${payloads.length} memories.`).waitFor({ state: 'attached' });
      });
      await visitEverything(watch, all, 'after the import');
      await openEveryMemory(watch, payloads, all);

      // Every imported conversation: its title in the list, its turns (the reply as markdown).
      await nav(page, 'Chat');
      for (const p of payloads)
        await watch.step(`conversation ${p.n}`, [p.n], async () => {
          await page.locator(`nav a[href="#/chat/xss-s${p.n}"]`).click();
          await page.waitForFunction(
            (text) => [...document.querySelectorAll('article.message.user .bubble')].some((b) => b.textContent === text),
            // Imported like typed: stored (and shown) without invisible format characters.
            stripInvisible(p.text).trim(),
          );
        });

      // Each payload typed by hand: chatted in a conversation of its own; then the forms, one
      // payload each, taking turns (the quick size fills each form three times).
      for (const [i, p] of payloads.entries()) {
        await chatTurn(watch, server, p, [(payloads[i - 1] ?? payloads.at(-1)!).n]);
        if (!isFull() && i >= FORMS.length * 3) continue;
        const [form, fill] = FORMS[i % FORMS.length]!;
        await watch.step(`${form} ${p.n}`, [p.n], () => fill(page, p));
      }

      // Everything again after a reload: what the model and the forms wrote is now stored.
      await watch.step('reload', all, reload);
      await visitEverything(watch, all, 'after a reload');
      if (isFull()) await openEveryMemory(watch, payloads, all);
      await context.close();
    } finally {
      await server.close();
    }

    for (const p of payloads) await tally.trial(`payload ${p.n} (${p.family})`, () => watch.problems.get(p.n) ?? []);
    tally.report();
  });
});
