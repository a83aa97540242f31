/** How the page fits and reads: a 360 px phone, a dark system theme, the keyboard alone. */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  closeBrowser,
  listedMemories,
  memoryList,
  newPage,
  openApp,
  PHONE,
  remember,
  search,
  searchResults,
  settledStatus,
  shot,
  sendAndStopAtOnce,
  startStoryModel,
} from './browser';

afterAll(closeBrowser);

const LONG =
  'Anniversary dinner ideas: the little Italian place on Rua das Flores, or cook risotto at home — book before the 20th';

/** Relative luminance (0 black … 1 white) of a CSS `rgb()` colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => Number(v) / 255);
  const linear = (c = 0) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

const colour = (page: Page, selector: string, property: 'color' | 'backgroundColor') =>
  page
    .locator(selector)
    .first()
    .evaluate((element, name) => getComputedStyle(element)[name], property);

/** Presses Tab until `target` has focus (at most `limit` times); false if it never does. */
async function tabTo(page: Page, target: string, limit = 15): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((selector) => document.activeElement?.matches(selector) ?? false, target)) return true;
  }
  return false;
}

/** The conversation list: no sideways scrolling, and the open conversation's title readable from its start. */
async function expectListInShape(page: Page, title: string): Promise<void> {
  // A long title is cut with an ellipsis at its end, never at its start.
  const start = title.slice(0, 24);
  const list = page.getByRole('navigation', { name: 'Conversations' }).locator('ul');
  const box = await list.evaluate((element) => ({
    scrollWidth: element.scrollWidth,
    clientWidth: element.clientWidth,
    scrollLeft: element.scrollLeft,
  }));
  expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
  expect(box.scrollLeft).toBe(0);
  const link = list.locator('li a[aria-current="page"]');
  expect((await link.innerText()).startsWith(start)).toBe(true);
  // The first letters are on screen, inside the list: what is drawn there is the title itself.
  const [outer, inner] = [(await list.boundingBox())!, (await link.boundingBox())!];
  expect(inner.x).toBeGreaterThanOrEqual(outer.x);
  expect(inner.x + inner.width).toBeLessThanOrEqual(outer.x + outer.width + 1);
  const hit = await link.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return element.contains(document.elementFromPoint(rect.left + 12, rect.top + rect.height / 2));
  });
  expect(hit).toBe(true);
}

/** The message box is a few lines tall and Send a button of the usual height. */
async function expectComposerInShape(page: Page): Promise<void> {
  const box = (await page.getByRole('textbox', { name: 'Message' }).boundingBox())!;
  const send = (await page.getByRole('button', { name: 'Send', exact: true }).boundingBox())!;
  expect(box.height).toBeGreaterThan(30);
  expect(box.height).toBeLessThanOrEqual(120);
  expect(send.height).toBeLessThanOrEqual(48);
}

describe('layout and access', () => {
  it('keeps the conversation list and the message box in shape, on a desktop and on a phone', async () => {
    const { context, page } = await newPage();
    await page.goto(inject('baseURL'));
    await startStoryModel(page);
    const composer = page.getByRole('textbox', { name: 'Message' });
    // The model loads on a shared, busy machine: give it time.
    await composer.and(page.locator(':enabled')).waitFor({ timeout: 80_000 });
    await expectComposerInShape(page);

    const title = 'Planning the anniversary dinner at the little Italian place on Rua das Flores next month';
    await composer.fill(title);
    // Sent and stopped at once: a stopped conversation, listed under its first message.
    await sendAndStopAtOnce(page);
    const sessions = page.getByRole('navigation', { name: 'Conversations' });
    await sessions.getByRole('link', { name: /^Planning the anniversary/ }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Regenerate' }).waitFor({ timeout: 60_000 });
    await expectComposerInShape(page);
    await sessions.getByRole('link', { name: /^Planning the anniversary/ }).click();
    await expectListInShape(page, title);

    const renamed = `Renamed: ${title} and the flowers to bring`;
    await sessions.getByRole('button', { name: /^Rename/ }).click();
    await sessions.getByLabel('New title').fill(renamed);
    await sessions.getByLabel('New title').press('Enter');
    await sessions.getByRole('link', { name: /^Renamed: Planning/ }).waitFor();
    await expectListInShape(page, renamed);
    await page.screenshot({ path: shot('e2e-chat-list-desktop'), fullPage: true });

    // A 360 × 640 phone: a new conversation's message box and Send are on screen without scrolling.
    await page.setViewportSize({ width: 360, height: 640 });
    await page.getByRole('button', { name: 'New conversation' }).click();
    await expect.poll(() => composer.evaluate((element) => document.activeElement === element)).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    for (const control of [composer, page.getByRole('button', { name: 'Send', exact: true })]) {
      const box = (await control.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(640);
    }
    await expectComposerInShape(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // The list folds away on a phone, one tap from the top, and opens without pushing the page sideways.
    await sessions.getByRole('button', { name: /conversations \(1\)/ }).click();
    await sessions.getByRole('link', { name: /^Renamed: Planning/ }).click();
    await expectListInShape(page, renamed);
    await page.screenshot({ path: shot('e2e-chat-phone'), fullPage: true });

    // Deleted, then undone: the same conversation (same address) with its messages.
    const link = sessions.getByRole('link', { name: /^Renamed: Planning/ });
    const address = await link.getAttribute('href');
    await sessions.getByRole('button', { name: /^Delete “Renamed: Planning/ }).click();
    await link.waitFor({ state: 'detached' });
    await page.getByText('Deleted “Renamed: Planning').waitFor();
    await page.getByRole('button', { name: 'Undo', exact: true }).click();
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(address);
    await link.click();
    await page.locator('article.message.user').getByText(title).waitFor();
    await context.close();
  }, 240_000);

  it('fits a 360 × 740 phone without sideways scrolling', async () => {
    const { context, page } = await openApp({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await settledStatus(page);
    await remember(page, LONG);
    await remember(page, 'Buy oat milk');
    await search(page, 'where should we eat for the anniversary');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    // Every control is reachable by its label.
    await expect(page.getByLabel('What should Mneme remember?').isVisible()).resolves.toBe(true);
    await expect(page.getByLabel('Search memories').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: shot('e2e-phone'), fullPage: true });
    // Every other screen fits too (a fieldset or a file input once pushed settings and profile sideways).
    // Each screen is measured once all of it is shown (Settings shows its sections once the profile's choices are read).
    const screens: [string, string[]][] = [
      ['#/memory/profile', ['Your profile']],
      ['#/memory/episodes', ['Tasks and what they taught']],
      ['#/memory/summaries', ['Conversation summaries']],
      ['#/memory/archive', ['Cold archive', 'Audit trail']],
      ['#/settings', ['Models', 'Privacy', 'Devices & sync', 'Your data']],
    ];
    for (const [route, headings] of [...screens, ['#/chat', []] as [string, string[]]]) {
      await page.evaluate((hash) => (location.hash = hash), route);
      for (const heading of headings) await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      if (route === '#/chat') await page.locator('#composer').waitFor();
      expect({ route, width: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({
        route,
        width: PHONE.width,
      });
    }
    await page.screenshot({ path: shot('e2e-settings-phone'), fullPage: true });
    await context.close();
  });

  it('follows a dark system theme with readable contrast', async () => {
    const { context, page } = await openApp({ colorScheme: 'dark' });
    await settledStatus(page);
    await remember(page, 'Call grandma on Sunday afternoon');
    await remember(page, 'The wifi password is on the router label');
    await search(page, 'phone my grandmother');
    const background = luminance(await colour(page, 'body', 'backgroundColor'));
    const text = luminance(await colour(page, 'body', 'color'));
    expect(background).toBeLessThan(0.05);
    expect((text + 0.05) / (background + 0.05)).toBeGreaterThan(7); // WCAG AAA for body text
    await page.screenshot({ path: shot('e2e-dark-desktop'), fullPage: true });

    await page.setViewportSize(PHONE);
    await page.screenshot({ path: shot('e2e-dark-phone'), fullPage: true });
    await context.close();
  });

  it('can be used with the keyboard alone', async () => {
    const { context, page } = await openApp();
    await settledStatus(page);

    expect(await tabTo(page, '#memory-text')).toBe(true);
    await page.keyboard.type('Keys are in the kitchen drawer');
    await page.keyboard.press('Control+Enter');
    await memoryList(page).getByText('Keys are in the kitchen drawer').waitFor();

    expect(await tabTo(page, '#search-query')).toBe(true);
    await page.keyboard.type('kitchen');
    await page.keyboard.press('Enter');
    expect(await searchResults(page, 'kitchen')).toEqual(['Keys are in the kitchen drawer']);

    // The focused control is visibly marked.
    expect(await tabTo(page, '.memory-row button')).toBe(true);
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Memory' });
    await dialog.waitFor();
    expect(await tabTo(page, 'dialog button.danger')).toBe(true);
    await page.keyboard.press('Enter');
    await memoryList(page).getByText('0 memories').waitFor();
    expect(await listedMemories(page)).toEqual([]);
    // Focus stays in the list instead of falling back to the top of the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('all-heading');
    await context.close();
  });
});
