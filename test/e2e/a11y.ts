/**
 * Helpers of the accessibility suites: axe-core run in the page with the WCAG 2.2 AA rule set,
 * a memory full of content to import (every tab filled, a long conversation, a failed memory
 * job), and a scripted OpenAI-style chat server on 127.0.0.1 whose replies can be held
 * half-streamed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { startChatServer, type ChatServer } from '../hardening/e2e/chat-server';
import { appReady, chooseChatServer, DESKTOP, PHONE } from './browser';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The rule sets the issue names: WCAG 2.0 A and AA, 2.1 AA, 2.2 AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Ends every running CSS transition at its end state (a colour mid-fade would be measured for contrast). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const animation of document.getAnimations()) if (animation instanceof CSSTransition) animation.finish();
  });
}

/** Every WCAG 2.2 AA violation axe finds on the page, one line each: where, rule, impact, targets. */
export async function axeViolations(page: Page, where: string): Promise<string[]> {
  await settled(page);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: unknown }> } })
      .axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations as AxeViolation[];
  }, WCAG_TAGS);
  return found.map(
    (violation) =>
      `${where}: ${violation.id} (${violation.impact ?? 'n/a'}) ${violation.help} at ${violation.nodes
        .map(
          (node) =>
            `${JSON.stringify(node.target)}${node.failureSummary ? ` [${node.failureSummary.replace(/\s+/g, ' ')}]` : ''}`,
        )
        .join('; ')}`,
  );
}

export const CONDITIONS = [
  { scheme: 'light', viewport: DESKTOP, name: 'light 1280px' },
  { scheme: 'dark', viewport: DESKTOP, name: 'dark 1280px' },
  { scheme: 'dark', viewport: PHONE, name: 'dark 360px' },
  { scheme: 'light', viewport: PHONE, name: 'light 360px' },
] as const;

/** Puts the page in one condition (colour scheme and width) without reloading it. */
export async function condition(page: Page, which: (typeof CONDITIONS)[number]): Promise<void> {
  await page.emulateMedia({ colorScheme: which.scheme });
  await page.setViewportSize(which.viewport);
}

export const MODEL = 'a11y-model';
/** The reply the chat server streams: markdown with a list, code and a link. */
export const REPLY =
  'Here is a plan for the trip:\n\n1. Book the **train** to Porto.\n2. Pack the `blue` rucksack.\n\nSee [the timetable](https://example.org/trains) for times.';

export interface HeldServer extends ChatServer {
  /** Holds the next chat reply after its first pieces; resolves once the reply is held. */
  hold(): Promise<void>;
  /** Lets a held reply finish. */
  release(): void;
}

/** The chat server: replies with REPLY, answers memory jobs with nothing new, can hold a reply half-way. */
export async function startA11yServer(): Promise<HeldServer> {
  /** The next reply to hold: `reached` tells the test, `open` lets it go on. */
  let gate: { reached: () => void; open: Promise<void> } | undefined;
  let release = () => {};
  const server = await startChatServer(
    MODEL,
    (body) => {
      const keys = Object.keys(body.response_format?.json_schema?.schema?.properties ?? {});
      if (!body.response_format) return REPLY;
      if (keys.includes('facts')) return JSON.stringify({ facts: [] });
      if (keys.includes('patches')) return JSON.stringify({ patches: [] });
      if (keys.includes('summary')) return JSON.stringify({ summary: 'They planned a trip to Porto.' });
      return '{}';
    },
    () => () => 12,
    async (at) => {
      if (gate && at >= 36) {
        const current = gate;
        gate = undefined;
        current.reached();
        await current.open;
      }
    },
  );
  return {
    ...server,
    hold() {
      const open = new Promise<void>((resolve) => (release = resolve));
      return new Promise<void>((reached) => (gate = { reached, open }));
    },
    release: () => release(),
  };
}

/** Points the app at the chat server, in Settings, the way a person does. */
export async function useChatServer(page: Page, url: string): Promise<void> {
  await page.evaluate(() => (location.hash = '#/settings'));
  await appReady(page, '#/settings');
  await chooseChatServer(page, url, MODEL);
}

/** Imports `content()` through Settings and waits for the app to confirm it. */
export async function importContent(page: Page): Promise<void> {
  await page.evaluate(() => (location.hash = '#/settings'));
  await appReady(page, '#/settings');
  await page
    .getByLabel('Export file')
    .setInputFiles({ name: 'content.json', mimeType: 'application/json', buffer: Buffer.from(content(Date.now())) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByText(/Imported \d+ memories/).waitFor({ state: 'attached' });
}

export const LONG_SESSION = 'a11y-trip';
export const LONG_TITLE = 'Planning the Porto trip';

/** An export file with something in every layer: memories of each kind, a long conversation, profile, tasks, audit. */
export function content(now: number): string {
  const minutes = (n: number) => now - n * 60_000;
  const memory = (id: string, text: string, kind: string, back: number, extra: object = {}) => ({
    id,
    text,
    kind,
    importance: 0.6,
    pinned: false,
    createdAt: minutes(back),
    updatedAt: minutes(back),
    validFrom: minutes(back),
    metadata: { source: 'import' },
    ...extra,
  });
  const memories = [
    memory('m-coffee', 'I take my coffee black, no sugar.', 'preference', 5, { pinned: true }),
    memory('m-porto', 'Ada is planning a trip to Porto in May.', 'fact', 10),
    memory('m-lisbon', 'Ada lives in Lisbon.', 'fact', 20),
    memory('m-madrid', 'Ada lived in Madrid.', 'fact', 3000, {
      validTo: minutes(20),
      metadata: { source: 'import', supersededBy: 'm-lisbon' },
    }),
    memory('m-note', 'Buy a new rucksack before the trip.', 'note', 30),
    memory('m-bees', 'Ada keeps two hives of bees.', 'fact', 40_000, { archivedAt: minutes(60), archiveReason: 'decayed' }),
    memory('m-chess', 'Ada played chess at school.', 'fact', 50_000, { archivedAt: minutes(70), archiveReason: 'decayed' }),
    memory('m-episode', 'Task: plan the move to Lisbon (succeeded).', 'episode', 4000),
    memory('m-summary', 'They talked about trains and rucksacks.', 'summary', 45),
  ];
  const sessions = [
    { id: LONG_SESSION, title: LONG_TITLE, createdAt: minutes(50), updatedAt: minutes(45), turnCount: 24 },
    { id: 'a11y-bees', title: 'Bees in winter', createdAt: minutes(900), updatedAt: minutes(890), turnCount: 2 },
  ];
  const turns = [
    ...Array.from({ length: 24 }, (_, seq) => ({
      id: `t-trip-${seq}`,
      sessionId: LONG_SESSION,
      role: seq % 2 ? ('assistant' as const) : ('user' as const),
      content:
        seq % 2
          ? `Reply ${seq}: the **train** leaves at 9:${String(seq).padStart(2, '0')}. Take the \`blue\` rucksack, and read [the guide](https://example.org/porto).`
          : `Question ${seq}: what should I pack for day ${seq / 2 + 1} of the trip?`,
      createdAt: minutes(50) + seq * 1000,
      seq,
    })),
    {
      id: 't-bees-0',
      sessionId: 'a11y-bees',
      role: 'user' as const,
      content: 'Do bees sleep in winter?',
      createdAt: minutes(900),
      seq: 0,
    },
    {
      id: 't-bees-1',
      sessionId: 'a11y-bees',
      role: 'assistant' as const,
      content: 'They cluster to keep warm.',
      createdAt: minutes(899),
      seq: 1,
    },
  ];
  const summaries = [
    {
      id: LONG_SESSION,
      sessionId: LONG_SESSION,
      text: 'They planned what to pack for Porto.',
      turnsCovered: 10,
      createdAt: minutes(45),
      updatedAt: minutes(45),
    },
  ];
  const field = (id: string, fieldName: string, value: string, setBy: 'user' | 'llm', extra: object = {}) => ({
    id,
    field: fieldName,
    value,
    setBy,
    pinned: false,
    rejected: false,
    createdAt: minutes(15),
    updatedAt: minutes(15),
    ...extra,
  });
  const profileFields = [
    field('name', 'name', 'Ada Lovelace', 'user'),
    field('preferredName', 'preferredName', 'Ada', 'llm', { sourceTurnId: 't-trip-0' }),
    field('communicationStyle', 'communicationStyle', 'Short answers', 'user', { pinned: true }),
    field('technicalLevel', 'technicalLevel', 'expert', 'llm'),
    field('interests:1', 'interests', 'trains', 'user'),
    field('interests:2', 'interests', 'bees', 'llm'),
    field('goals:1', 'goals', 'visit Porto', 'user'),
    field('goals:2', 'goals', 'learn Portuguese', 'llm'),
    field('facts:1', 'facts', 'lives in Lisbon', 'llm'),
    field('facts:2', 'facts', 'has a rucksack', 'user'),
    field('preferences:units', 'preferences', 'metric', 'user', { key: 'units' }),
    field('preferences:tone', 'preferences', 'friendly', 'llm', { key: 'tone' }),
  ];
  const episode = (id: string, task: string, status: 'open' | 'succeeded' | 'failed', back: number) => ({
    id,
    task,
    status,
    actions: [
      { action: `Looked up ${task.toLowerCase()}`, outcome: 'found two options', at: minutes(back) },
      { action: 'Asked a friend', outcome: 'done', at: minutes(back - 1) },
    ],
    lessons: status === 'open' ? [] : [`Start ${task.toLowerCase()} early`],
    startedAt: minutes(back + 5),
    ...(status === 'open' ? {} : { endedAt: minutes(back - 2) }),
    memoryId: 'm-episode',
  });
  const episodes = [
    episode('e-train', 'Book the train to Porto', 'open', 100),
    episode('e-hotel', 'Find a hotel in Porto', 'open', 200),
    episode('e-move', 'Plan the move to Lisbon', 'succeeded', 4000),
    episode('e-bike', 'Fix the bicycle', 'failed', 5000),
  ];
  const audit = [
    {
      at: minutes(20),
      actor: 'llm',
      action: 'supersede',
      entity: 'memory',
      entityId: 'm-madrid',
      before: { text: 'Ada lived in Madrid.' },
      after: { text: 'Ada lives in Lisbon.' },
      reason: 'A newer fact contradicts it',
    },
    {
      at: minutes(15),
      actor: 'user',
      action: 'update',
      entity: 'profile',
      entityId: 'name',
      before: { value: 'Ada' },
      after: { value: 'Ada Lovelace' },
    },
    {
      at: minutes(60),
      actor: 'policy',
      action: 'archive',
      entity: 'memory',
      entityId: 'm-bees',
      after: { kind: 'fact', importance: 0.09 },
      reason: 'decayed',
    },
  ];
  const outbox = [
    {
      id: 'job-failed',
      kind: 'memory.extract',
      payload: { sessionId: LONG_SESSION },
      state: 'failed',
      attempts: 3,
      maxAttempts: 3,
      runAfter: minutes(40),
      createdAt: minutes(45),
      updatedAt: minutes(40),
      lastError: { code: 'LLM_OUTPUT_INVALID', message: 'The model answered in the wrong shape.' },
    },
  ];
  return JSON.stringify({
    format: 'mneme-export',
    version: 1,
    exportedAt: now,
    profile: { id: 'default', name: 'Default' },
    memories,
    vectors: [],
    tables: { sessions, turns, summaries, profileFields, episodes, audit, outbox },
  });
}
