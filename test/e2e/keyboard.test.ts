/**
 * The app by keyboard and screen reader: the chat log can be focused and scrolled, a streamed
 * reply is announced once (politely, not token by token), buttons say what they do, focus lands
 * somewhere sensible after an export and a lock, focus is always visible, targets are large enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { appReady, closeBrowser, DESKTOP, memoryList, openApp, PHONE, type AppPage } from './browser';
import { importContent, LONG_SESSION, LONG_TITLE, REPLY, startA11yServer, useChatServer, type HeldServer } from './a11y';

let server: HeldServer;
let app: AppPage;
const go = (page: Page, hash: string) => page.evaluate((to) => (location.hash = to), hash);
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

/** The screens with content, and what shows once each has loaded. */
const SCREENS: [string, string, (page: Page) => Promise<void>][] = [
  ['chat', `#/chat/${LONG_SESSION}`, (page) => page.getByText('Reply 23:').waitFor()],
  ['memories', '#/memory/facts', (page) => memoryList(page).getByText('Ada lives in Lisbon.').waitFor()],
  ['profile', '#/memory/profile', (page) => page.getByText('learn Portuguese', { exact: true }).waitFor()],
  ['tasks', '#/memory/episodes', (page) => page.getByText('Find a hotel in Porto', { exact: true }).waitFor()],
  ['summaries', '#/memory/summaries', (page) => page.getByRole('tabpanel').getByRole('link', { name: LONG_TITLE }).waitFor()],
  ['archive', '#/memory/archive', (page) => page.getByText('Ada keeps two hives of bees.', { exact: true }).first().waitFor()],
  ['settings', '#/settings', (page) => page.getByRole('button', { name: 'Export everything' }).waitFor()],
];

beforeAll(async () => {
  server = await startA11yServer();
  app = await openApp();
  await importContent(app.page);
  await useChatServer(app.page, server.url);
}, 180_000);

afterAll(async () => {
  server?.release();
  await closeBrowser();
  await server?.close();
});

describe('keyboard and screen reader', () => {
  it('the chat log is a named, polite log that Tab reaches and the arrow keys scroll', async () => {
    const { page } = app;
    await go(page, `#/chat/${LONG_SESSION}`);
    await page.getByText('Reply 23:').waitFor();
    const log = page.getByRole('log', { name: `Messages of “${LONG_TITLE}”` });
    await expect(log.getAttribute('aria-live')).resolves.toBe('polite');
    expect(await log.getAttribute('aria-atomic')).not.toBe('true');

    // From the last conversation in the list, Tab goes on to the log before the composer.
    await page.getByRole('button', { name: 'Delete “Bees in winter”' }).focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => log.evaluate((element) => element === document.activeElement)).toBe(true);
    const scrollTop = () => log.evaluate((element) => element.scrollTop);
    await page.keyboard.press('Home');
    await expect.poll(scrollTop).toBe(0);
    await page.keyboard.press('PageDown');
    await expect.poll(scrollTop).toBeGreaterThan(0);
    await page.keyboard.press('End');
    await expect
      .poll(() => log.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight))
      .toBeLessThan(2);
  });

  it('a streamed reply changes nothing a screen reader reads until it is complete', async () => {
    const { page } = app;
    await go(page, `#/chat/${LONG_SESSION}`);
    await composer(page).and(page.locator(':enabled')).waitFor();
    // Every change inside the log, noted with whether it happened inside a message marked busy.
    await page.evaluate(() => {
      const changes: { busy: boolean; words: boolean }[] = [];
      (window as unknown as { logChanges: typeof changes }).logChanges = changes;
      const log = document.querySelector('[role="log"]')!;
      new MutationObserver((records) => {
        for (const record of records) {
          const node = record.target instanceof Element ? record.target : record.target.parentElement;
          const article = node?.closest('article');
          changes.push({ busy: article?.getAttribute('aria-busy') === 'true', words: node?.closest('.bubble') !== null });
        }
      }).observe(log, { childList: true, subtree: true, characterData: true });
    });
    const held = server.hold();
    await composer(page).fill('What should I pack?');
    await composer(page).press('Enter');
    await held;
    const streaming = page.locator('article.message.assistant[aria-busy="true"]');
    await streaming.getByText('plan for the trip').waitFor();
    server.release();
    await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor();
    const reply = page.locator('article.message.assistant').last();
    await expect(reply.getAttribute('aria-busy')).resolves.toBe('false');
    expect(await reply.innerText()).toContain('See the timetable for times.');
    const changes = await page.evaluate(
      () => (window as unknown as { logChanges: { busy: boolean; words: boolean }[] }).logChanges,
    );
    // The words of a reply change only inside the message marked busy; outside it, whole messages come and go.
    const words = changes.filter((change) => change.words);
    expect(words.length, `the reply (${REPLY.length} characters) streamed in pieces`).toBeGreaterThan(2);
    expect(words.filter((change) => !change.busy)).toEqual([]);
  });

  it('no two buttons on a screen share a name', async () => {
    const { page } = app;
    const duplicates: string[] = [];
    for (const [name, route, loaded] of SCREENS) {
      await go(page, route);
      await loaded(page);
      const tree = await page.locator('body').ariaSnapshot();
      const names = [...tree.matchAll(/- button "([^"]*)"/g)].map((match) => match[1]!);
      const seen = new Set<string>();
      for (const label of names) {
        if (seen.has(label)) duplicates.push(`${name}: “${label}”`);
        seen.add(label);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it('after an export, focus stays on the export button', async () => {
    const { page } = app;
    await go(page, '#/settings');
    await appReady(page, '#/settings');
    const button = page.getByRole('button', { name: 'Export everything' });
    await button.focus();
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    await download;
    await page.getByText('Export downloaded.').waitFor({ state: 'attached' });
    await expect.poll(() => button.evaluate((element) => element === document.activeElement)).toBe(true);
  });

  it('after encrypting, locking and unlocking, focus lands on the next thing to do', async () => {
    const { page } = app;
    await go(page, '#/settings');
    await appReady(page, '#/settings');
    const focused = () =>
      page.evaluate(
        () => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? '',
      );
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat the passphrase').fill('correct horse battery');
    await page.getByLabel('Repeat the passphrase').press('Enter');
    const lock = page.getByRole('button', { name: 'Lock now' });
    await lock.waitFor();
    await expect.poll(focused).toBe('Lock now');
    await page.keyboard.press('Enter');
    const passphrase = page.getByLabel('Passphrase', { exact: true });
    await page.getByRole('heading', { name: 'This profile is locked' }).waitFor();
    await expect.poll(() => passphrase.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type('correct horse battery');
    await page.keyboard.press('Enter');
    await lock.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    // Turned off again, so the other tests see an open profile.
    await page.getByLabel('Current passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('button', { name: 'Encrypt' }).waitFor();
  });

  it('every control shows a visible focus ring and is at least 24 px square, at 360 and 1280 px', async () => {
    const { page } = app;
    const problems: string[] = [];
    for (const viewport of [PHONE, DESKTOP]) {
      await page.setViewportSize(viewport);
      for (const [name, route, loaded] of SCREENS) {
        await go(page, route);
        await loaded(page);
        // A key press first: the browser shows focus rings after keyboard use.
        await page.keyboard.press('Tab');
        const found = await page.evaluate(focusAndSizeProblems);
        problems.push(...found.map((problem) => `${name} at ${viewport.width}px: ${problem}`));
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the context inspector', () => {
  it('opens the reply clicked right after closing another, and the same one again', async () => {
    const { context, page, errors } = await openApp();
    await useChatServer(page, server.url);
    await go(page, '#/chat');
    const chips = page.getByRole('button', { name: /memor(y|ies) used/ });
    for (const [count, text] of [
      [1, 'First question: what should I pack?'],
      [2, 'Second question: which train?'],
    ] as const) {
      await composer(page).and(page.locator(':enabled')).fill(text);
      await composer(page).press('Enter');
      await expect.poll(() => chips.count()).toBe(count);
    }
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await chips.first().click();
    await inspector.getByText('First question').first().waitFor();

    // Close, then a click on another reply's chip in the same moment: the dialog's close event
    // arrives a frame later and must not close the inspector just opened.
    const closeAndInspect = (index: number) =>
      page.evaluate((which) => {
        const close = document.querySelector<HTMLButtonElement>('dialog[open] button[aria-label="Close the context inspector"]')!;
        close.click();
        document.querySelectorAll<HTMLButtonElement>('button.chip-button')[which]!.click();
      }, index);
    const afterTwoFrames = () =>
      page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    for (const [index, question] of [
      [1, 'Second question'],
      [1, 'Second question'],
      [0, 'First question'],
    ] as const) {
      await closeAndInspect(index);
      await afterTwoFrames();
      await expect(inspector.isVisible(), `the inspector is open for reply ${index + 1}`).resolves.toBe(true);
      const shown = await inspector.innerText();
      expect(shown).toContain(question);
      // The first reply was made before the second question existed.
      if (index === 0) expect(shown).not.toContain('Second question');
    }
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await context.close();
  });
});

/** In the page: focuses every visible control and reports a missing or faint focus ring and a target under 24 × 24 px. */
function focusAndSizeProblems(): string[] {
  const problems: string[] = [];
  const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const luminance = ([r, g, b]: number[]) =>
    [r!, g!, b!]
      .map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i]!, 0);
  const contrast = (a: string, b: string) => {
    const [x, y] = [luminance(rgb(a)), luminance(rgb(b))].sort((p, q) => q - p);
    return (x! + 0.05) / (y! + 0.05);
  };
  const page = getComputedStyle(document.body).backgroundColor;
  const background =
    rgb(page).length === 3 && !page.includes('0)') ? page : getComputedStyle(document.documentElement).backgroundColor;
  const controls = document.querySelectorAll<HTMLElement>(
    'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), summary, [tabindex="0"]',
  );
  for (const control of controls) {
    if (!control.checkVisibility() || control.closest('[inert]') || control.tabIndex < 0) continue;
    const name = `${control.tagName.toLowerCase()} “${(control.getAttribute('aria-label') ?? control.textContent ?? '').trim().slice(0, 40)}”`;
    control.focus();
    const style = getComputedStyle(control);
    const width = parseFloat(style.outlineWidth);
    if (!control.matches(':focus-visible') || style.outlineStyle === 'none' || width < 2) {
      problems.push(`${name} has no visible focus ring (${style.outlineStyle} ${style.outlineWidth})`);
    } else if (contrast(style.outlineColor, background) < 3) {
      problems.push(`${name} has a faint focus ring (${style.outlineColor} on ${background})`);
    }
    // Links inside a sentence are exempt from the size rule (WCAG 2.5.8, inline).
    const inline = control.tagName === 'A' && getComputedStyle(control).display === 'inline' && control.closest('p, li, dd');
    if (inline) continue;
    const box = (control.closest('label') ?? control).getBoundingClientRect();
    if (box.width < 24 || box.height < 24) problems.push(`${name} is ${box.width.toFixed(0)} × ${box.height.toFixed(0)} px`);
  }
  (document.activeElement as HTMLElement | null)?.blur();
  return problems;
}
