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
 * or a page error shows up while it was on screen, or when a step showing it failed.
 */
import { afterAll, describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Random, Tally, isFull, trials } from '../harness';
import { appReady, closeBrowser, memoryList, newPage, markWelcomed } from '../../e2e/browser';
import { inject } from 'vitest';
import { makePayloads, payloadNumbers, type Payload } from './xss-payloads';
import { startChatServer } from './chat-server';

afterAll(closeBrowser);

const MODEL = 'xss-echo';
/** Payloads typed per round of forms; the quick run types fewer rounds (each round uses 8 texts). */
const batchSize = (count: number) => (isFull() ? 8 : Math.ceil(count / 3));

// ---------- the chat server: OpenAI-compatible, streams what the test tells it to ----------

interface EchoServer {
  url: string;
  /** The next chat reply, and the texts structured answers (facts, profile, summary) are made of. */
  reply: string;
  texts: string[];
  close(): Promise<void>;
}

/** A model's JSON answer for the schema the app asked for, made of hostile texts. */
function structuredAnswer(schema: { properties?: Record<string, unknown> }, texts: string[]): unknown {
  const keys = Object.keys(schema.properties ?? {});
  const short = (text: string) => text.trim().slice(0, 300).padEnd(3, '.');
  const pick = (i: number) => short(texts[i % Math.max(texts.length, 1)] ?? 'nothing');
  if (keys.includes('facts')) return { facts: texts.slice(0, 10).map((text) => ({ text: short(text), importance: 0.7 })) };
  if (keys.includes('relation')) return { relation: 'complementary', candidate: 1 };
  if (keys.includes('patches'))
    return {
      patches: [
        { op: 'set', field: 'communicationStyle', value: pick(0) },
        { op: 'add', field: 'goals', value: pick(1) },
        { op: 'set', field: 'preferences', key: 'tone', value: pick(2) },
      ],
    };
  if (keys.includes('summary')) return { summary: texts.join('\n').slice(0, 1000) || 'nothing' };
  return {};
}

async function startEchoServer(random: Random): Promise<EchoServer> {
  const state = { reply: '', texts: [] as string[] };
  const server = await startChatServer(
    MODEL,
    (body) => {
      const format = body.response_format;
      return format ? JSON.stringify(structuredAnswer(format.json_schema?.schema ?? {}, state.texts)) : state.reply;
    },
    // Random piece sizes: markup arrives cut in the middle of tags, entities and URLs.
    () => random.int(1, 12),
  );
  return Object.assign(state, server);
}

// ---------- the import file ----------

const KINDS = ['note', 'fact', 'preference', 'turn', 'summary', 'episode'] as const;

function importFile(payloads: Payload[], now: number): string {
  const at = (p: Payload, back = 0) => now - p.n * 60_000 - back;
  const memories = payloads.map((p) => ({
    id: `xss-m${p.n}`,
    text: p.text,
    kind: KINDS[p.n % KINDS.length],
    importance: 0.5,
    pinned: p.n % 5 === 0,
    createdAt: at(p),
    updatedAt: at(p),
    validFrom: at(p),
    metadata: {
      source: p.text,
      [`note ${p.text}`.slice(0, 200)]: p.text,
      ...(p.n % 6 === 0 ? { supersededBy: `xss-m${p.n + 1}` } : {}),
    },
    ...(p.n % 6 === 0 ? { validTo: now - 1000 } : {}),
    ...(p.n % 7 === 0 ? { archivedAt: now - 500, archiveReason: 'decayed' } : {}),
  }));
  const sessions = payloads.map((p) => ({
    id: `xss-s${p.n}`,
    title: p.text,
    createdAt: at(p),
    updatedAt: at(p),
    turnCount: 2,
  }));
  const turns = payloads.flatMap((p) =>
    (['user', 'assistant'] as const).map((role, seq) => ({
      id: `xss-t${p.n}-${seq}`,
      sessionId: `xss-s${p.n}`,
      role,
      content: p.text,
      createdAt: at(p) + seq,
      seq,
    })),
  );
  const summaries = payloads.map((p) => ({
    id: `xss-s${p.n}`,
    sessionId: `xss-s${p.n}`,
    text: p.text,
    turnsCovered: 2,
    createdAt: at(p),
    updatedAt: at(p),
  }));
  const entry = (id: string, p: Payload) => ({
    id,
    setBy: p.n % 2 ? 'user' : 'llm',
    pinned: p.n % 3 === 0,
    rejected: false,
    sourceTurnId: p.text.slice(0, 40),
    createdAt: at(p),
    updatedAt: at(p),
  });
  const lists = ['interests', 'goals', 'facts'] as const;
  const scalars = ['name', 'preferredName', 'communicationStyle'] as const;
  const profileFields = [
    ...scalars.map((field, i) => ({ ...entry(field, payloads[i % payloads.length]!), field, value: payloads[i]!.text })),
    ...payloads.flatMap((p) => [
      { ...entry(`${lists[p.n % 3]}:${p.n}`, p), field: lists[p.n % 3], value: p.text },
      { ...entry(`preferences:${p.n}`, p), field: 'preferences', key: p.text.slice(0, 60), value: p.text },
    ]),
  ];
  const episodes = payloads.map((p) => ({
    id: `xss-e${p.n}`,
    task: p.text,
    status: (['open', 'succeeded', 'failed'] as const)[p.n % 3],
    actions: [{ action: p.text, outcome: p.text, at: at(p) }],
    lessons: [p.text, `again: ${p.text}`],
    startedAt: at(p, 1000),
    ...(p.n % 3 ? { endedAt: at(p) } : {}),
    memoryId: `xss-m${p.n}`,
  }));
  const audit = payloads.flatMap((p) => [
    {
      at: at(p),
      actor: (['user', 'llm', 'policy'] as const)[p.n % 3],
      action: 'update',
      entity: 'memory',
      entityId: `xss-m${p.n}`,
      before: { text: p.text },
      after: { text: `${p.text} (edited)` },
      reason: p.text,
    },
    {
      at: at(p),
      actor: 'llm',
      action: 'create',
      entity: 'profile',
      entityId: `preferences:${p.n}`,
      after: { key: p.text.slice(0, 20), value: p.text },
      reason: p.text,
    },
  ]);
  return JSON.stringify({
    format: 'mneme-export',
    version: 1,
    exportedAt: now,
    profile: { id: 'default', name: payloads[0]!.text.slice(0, 80) },
    memories,
    vectors: [],
    tables: { sessions, turns, summaries, profileFields, episodes, audit },
  });
}

// ---------- what the page reports ----------

/** Installed before the app's scripts: the canary, and a log of CSP violations. */
function installCanary(): void {
  const log = { hits: [] as number[], violations: [] as string[] };
  Object.defineProperty(window, '__xss', { value: log });
  Object.defineProperty(window, 'xssCanary', {
    value: (n: unknown) => {
      log.hits.push(Number(n));
      (window as unknown as { xssCanaryBinding?: (n: unknown) => void }).xssCanaryBinding?.(n);
    },
  });
  document.addEventListener('securitypolicyviolation', (event) => {
    log.violations.push(
      `${event.effectiveDirective} blocked ${event.blockedURI} (sample ${event.sample}, ${event.sourceFile}:${event.lineNumber})`,
    );
  });
}

/** Run in the page: what the DOM holds that hostile text could only have put there. */
function scanDom(): string[] {
  const allowed = new Set(
    'p br strong em del code pre blockquote ul ol li a h3 h4 h5 hr table thead tbody tr th td span'.split(' '),
  );
  const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'to']);
  const found: string[] = [];
  const describe = (el: Element) => el.outerHTML.slice(0, 200);
  for (const el of document.body.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`event attribute ${name}: ${describe(el)}`);
      if (name === 'srcdoc') found.push(`srcdoc: ${describe(el)}`);
      // eslint-disable-next-line no-control-regex -- control characters are part of the hostile text
      if (urlAttributes.has(name) && /^[\s\0-\x1f]*(javascript|vbscript|data:text)/i.test(attr.value))
        found.push(`script URL in ${name}: ${describe(el)}`);
    }
    if (el.matches('script, iframe, frame, object, embed, base, meta, link, form[action], template, math, style'))
      found.push(`<${el.localName}> in the page: ${describe(el)}`);
    if (el.closest('.markdown') && el !== el.closest('.markdown')) {
      if (!allowed.has(el.localName)) found.push(`<${el.localName}> in a reply: ${describe(el)}`);
      for (const attr of el.attributes)
        if (!['href', 'target', 'rel', 'class', 'aria-hidden'].includes(attr.name))
          found.push(`attribute ${attr.name} in a reply: ${describe(el)}`);
    }
  }
  return found;
}

class Watch {
  readonly problems = new Map<number, string[]>();
  #errors = 0;
  #dialogs: string[] = [];
  #bound: number[] = [];
  #requests: string[] = [];

  constructor(
    readonly page: Page,
    readonly errors: string[],
  ) {
    page.on('dialog', (dialog) => {
      this.#dialogs.push(`${dialog.type()} "${dialog.message()}"`);
      void dialog.dismiss();
    });
    page.on('request', (request) => {
      if (/xss\.invalid/.test(request.url())) this.#requests.push(request.url());
    });
  }

  async bind(): Promise<void> {
    await this.page.exposeBinding('xssCanaryBinding', (_source, n: unknown) => void this.#bound.push(Number(n)));
  }

  blame(numbers: number[], problem: string): void {
    for (const n of numbers) {
      const list = this.problems.get(n) ?? [];
      if (list.length < 5) list.push(problem);
      this.problems.set(n, list);
    }
  }

  /** Blames what happened since the last check on the payloads named in it, else on `shown`. */
  async check(where: string, shown: number[]): Promise<void> {
    const blameText = (text: string) => {
      const named = payloadNumbers(text);
      this.blame(named.length > 0 ? named : shown, `${text.slice(0, 300)} (${where})`);
    };
    const { hits, violations } = await this.page.evaluate(() => {
      const log = (window as unknown as { __xss: { hits: number[]; violations: string[] } }).__xss;
      return { hits: log.hits.splice(0), violations: log.violations.splice(0) };
    });
    for (const n of [...hits, ...this.#bound.splice(0)]) this.blame([n], `the canary ran (${where})`);
    for (const violation of violations) blameText(`CSP violation: ${violation}`);
    for (const url of this.#requests.splice(0)) blameText(`the page requested ${url}`);
    for (const dialog of this.#dialogs.splice(0)) blameText(`a dialog opened: ${dialog}`);
    for (const error of this.errors.slice(this.#errors)) blameText(`page error: ${error}`);
    this.#errors = this.errors.length;
    for (const finding of await this.page.evaluate(scanDom)) blameText(finding);
  }

  /** Runs one step of the visit; a step that fails is blamed on the payloads it shows. */
  async step(where: string, shown: number[], work: () => Promise<unknown>): Promise<void> {
    const t0 = Date.now();
    try {
      await work();
    } catch (error) {
      this.blame(shown, `${where} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    await this.check(where, shown);
    if (process.env.XSS_TIMING) console.log(`${Date.now() - t0} ms ${where.slice(0, 50)}`);
  }
}

// ---------- the visit ----------

// eslint-disable-next-line no-control-regex -- control characters are part of the hostile text
const squash = (text: string) => text.replace(/[\s\0-\x1f\u200b]+/g, '');

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
async function openEveryMemory(watch: Watch, all: number[]): Promise<void> {
  const { page } = watch;
  await nav(page, 'Memory');
  await memoryTab(page, 'Memories', 'Your memories');
  const viewport = memoryList(page).locator('.viewport');
  const seen = new Set<string>();
  for (let top = 0; ; top += 250) {
    const end = await viewport.evaluate((el, y) => ((el.scrollTop = y), y >= el.scrollHeight - el.clientHeight), top);
    // The rows re-render while dialogs open and close: take the labels first, then open each.
    const labels = await memoryList(page)
      .getByRole('button', { name: /^Open “/ })
      .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? ''));
    for (const label of labels) {
      if (seen.has(label)) continue;
      seen.add(label);
      const named = payloadNumbers(label);
      await watch.step(`memory detail ${label.slice(0, 40)}`, named.length > 0 ? named : all, async () => {
        // The list is virtual: the row may have left the DOM since its label was read (a dialog
        // closing re-renders it). Look where it was first, then scroll the list through to find it.
        const clickRow = () =>
          memoryList(page)
            .locator('button[aria-label]')
            .evaluateAll((buttons: HTMLElement[], wanted) => {
              const button = buttons.find((b) => b.getAttribute('aria-label') === wanted);
              button?.scrollIntoView({ block: 'center' });
              button?.click();
              return button !== undefined;
            }, label);
        let clicked = await clickRow();
        for (let y = 0; !clicked; y += 200) {
          const bottom = await viewport.evaluate((el, at) => ((el.scrollTop = at), at >= el.scrollHeight - el.clientHeight), y);
          await page.waitForTimeout(50);
          clicked = await clickRow();
          if (bottom && !clicked) throw new Error(`no row is labelled ${label}`);
        }
        await viewport.evaluate((el, at) => void (el.scrollTop = at), top);
        const dialog = page.getByRole('dialog', { name: 'Memory' });
        await dialog.getByRole('heading', { name: 'History' }).waitFor();
        await dialog.locator('ol.audit, p.empty').first().waitFor();
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'hidden' });
      });
    }
    if (end) break;
  }
}

async function importThroughSettings(page: Page, json: string, name: string): Promise<void> {
  await nav(page, 'Settings');
  await page.getByLabel('Export file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(json) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
}

/** One batch typed by hand: chat (with a streamed hostile reply), memory editor, profile, tasks. */
async function typeBatch(watch: Watch, server: EchoServer, batch: Payload[]): Promise<void> {
  const { page } = watch;
  const numbers = batch.map((p) => p.n);
  const text = (i: number) => batch[i % batch.length]!.text;

  await watch.step('chat: composer and streamed reply', numbers, async () => {
    await nav(page, 'Chat');
    await page.getByRole('button', { name: 'New conversation' }).click();
    server.reply = batch.map((p) => p.text).join('\n\n');
    server.texts = batch.map((p) => p.text);
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.and(page.locator(':enabled')).waitFor();
    await composer.fill(batch.map((p) => p.text).join('\n'));
    await composer.press('Enter');
    await page.locator('article.message.assistant[aria-busy="true"]').waitFor();
    await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor({ timeout: 30_000 });
  });
  await watch.step('chat: context inspector', numbers, async () => {
    await page.getByRole('button', { name: /memor(y|ies) used/ }).click();
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await inspector.getByText('<user_query>').first().waitFor();
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });
  });
  await watch.step('memory: remember and edit', numbers, async () => {
    await nav(page, 'Memory');
    await memoryTab(page, 'Memories', 'Your memories');
    const box = page.getByLabel('What should Mneme remember?');
    await box.fill(text(0));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await shown(page, text(0));
    await memoryList(page)
      .getByRole('button', { name: /^Open “/ })
      .first()
      .click();
    const dialog = page.getByRole('dialog', { name: 'Memory' });
    await dialog.getByLabel('Text').fill(text(1));
    await dialog.getByRole('button', { name: 'Save text' }).click();
    await dialog.getByRole('button', { name: 'Save text' }).and(page.locator(':disabled')).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });
  await watch.step('profile: name, interest, preference', numbers, async () => {
    await memoryTab(page, 'Profile', 'Your profile');
    const name = page.getByLabel('Name', { exact: true });
    await name.fill(text(2));
    await name.press('Enter');
    await page.getByLabel('Add to interests').fill(text(3));
    await page.getByLabel('Add to interests').press('Enter');
    await shown(page, text(3).slice(0, 300));
    await page.getByLabel('Preference', { exact: true }).fill(`tone ${batch[0]!.n}`);
    await page.getByLabel('Value', { exact: true }).fill(text(4));
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await shown(page, text(4).slice(0, 300));
  });
  await watch.step('tasks: task, step and outcome', numbers, async () => {
    await memoryTab(page, 'Tasks', 'Tasks and what they taught');
    await page.getByLabel('New task').fill(text(5));
    await page.getByLabel('New task').press('Enter');
    await shown(page, text(5));
    const episode = page
      .locator('li.episode')
      .filter({ has: page.getByLabel('Step') })
      .first();
    await episode.getByLabel('Step').fill(text(6));
    await episode.getByLabel('Outcome').fill(text(7));
    await episode.getByRole('button', { name: 'Record' }).click();
    await shown(page, text(7));
  });
  await watch.step('import: a refused file names a hostile id', numbers, async () => {
    const id = text(0).slice(0, 128);
    const memory = {
      id,
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
    await importThroughSettings(page, JSON.stringify(file), `${text(1).slice(0, 40)}.json`);
    await page.getByRole('alert').filter({ hasText: 'appears twice' }).waitFor();
    await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
  });
}

describe('hostile text in the app', () => {
  it('never runs a payload, anywhere the app shows text', { timeout: 900_000 }, async () => {
    const tally = new Tally('xss');
    const payloads = makePayloads(trials(200, 40), tally.random);
    const all = payloads.map((p) => p.n);
    const server = await startEchoServer(new Random(tally.seed + 1));
    const { page, context, errors } = await newPage();
    const watch = new Watch(page, errors);
    try {
      await markWelcomed(context);
      await context.addInitScript(installCanary);
      await watch.bind();
      await page.goto(`${inject('baseURL')}#/memory/facts`);
      await appReady(page);
      await watch.check('opening the app (before any payload)', all);

      await watch.step('settings: use the local echo server', all, async () => {
        await nav(page, 'Settings');
        await page.getByText('Use an external server (off by default)').click();
        await page.getByLabel('Server URL').fill(server.url);
        await page.getByLabel('Model name').fill(MODEL);
        await page.getByLabel('I understand my text is sent to this server').check();
        await page.getByRole('button', { name: 'Use this server' }).click();
        await page.getByText('external server: text leaves this device').waitFor();
      });
      await watch.step('import: a file full of payloads', all, async () => {
        await importThroughSettings(page, importFile(payloads, Date.now()), 'hostile.json');
        await page.getByText(`Imported ${payloads.length} memories.`).waitFor({ state: 'attached' });
      });
      await visitEverything(watch, all, 'after the import');
      await openEveryMemory(watch, all);

      // Every imported conversation: its title in the list, its turns (the reply as markdown).
      await nav(page, 'Chat');
      for (const p of payloads)
        await watch.step(`conversation ${p.n}`, [p.n], async () => {
          await page.locator(`nav a[href="#/chat/xss-s${p.n}"]`).click();
          await page.waitForFunction(
            (text) => [...document.querySelectorAll('article.message.user .bubble')].some((b) => b.textContent === text),
            p.text,
          );
        });

      const size = batchSize(payloads.length);
      for (let i = 0; i < payloads.length; i += size) await typeBatch(watch, server, payloads.slice(i, i + size));

      // Everything again after a reload: what the model and the forms wrote is now stored.
      await watch.step('reload', all, async () => {
        await page.reload();
        await appReady(page, new URL(page.url()).hash);
      });
      await visitEverything(watch, all, 'after a reload');
      if (isFull()) await openEveryMemory(watch, all);
      await context.close();
    } finally {
      await server.close();
    }

    for (const p of payloads) await tally.trial(`payload ${p.n} (${p.family})`, () => watch.problems.get(p.n) ?? []);
    tally.report();
  });
});
