/**
 * axe-core with the WCAG 2.2 AA rule set (wcag2a, wcag2aa, wcag21aa, wcag22aa) finds nothing on
 * any screen, with content in it, light and dark, at 360 px and 1280 px. One page walks every
 * screen; the colour scheme and the width change in place, so each screen is built once.
 */
import { afterAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { appReady, closeBrowser, memoryList, openApp, search } from './browser';
import {
  axeViolations,
  CONDITIONS,
  condition,
  importContent,
  LONG_SESSION,
  LONG_TITLE,
  startA11yServer,
  useChatServer,
} from './a11y';

afterAll(closeBrowser);

const go = (page: Page, hash: string) => page.evaluate((to) => (location.hash = to), hash);
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

it('axe finds no WCAG 2.2 AA violation on any screen, light and dark, at 360 and 1280 px', { timeout: 1_200_000 }, async () => {
  const server = await startA11yServer();
  const { context, page, errors } = await openApp();
  const problems: string[] = [];
  /** Runs axe on the screen as it is now, in every condition. */
  const check = async (screen: string) => {
    for (const which of CONDITIONS) {
      await condition(page, which);
      problems.push(...(await axeViolations(page, `${screen} (${which.name})`)));
    }
  };
  try {
    await go(page, '#/welcome');
    await page.getByRole('button', { name: /Download and start|Start/ }).waitFor();
    await check('first run');

    await go(page, '#/chat');
    await page.getByText('No chat model is loaded').waitFor();
    await check('chat without a model');

    await importContent(page);
    // A reload shows the imported failed memory job (the outbox summary is read when the app opens).
    await page.reload();
    await appReady(page, '#/settings');
    await useChatServer(page, server.url);
    await check('settings');

    await go(page, '#/memory/facts');
    await memoryList(page).getByText('Ada lives in Lisbon.').waitFor();
    await search(page, 'Porto trip');
    await check('memories with search results');

    await page.getByRole('button', { name: /memory update failed/ }).click();
    await page.getByRole('region', { name: 'Memory work' }).getByText('The model answered in the wrong shape.').waitFor();
    await check('failed memory work, opened');
    await page.getByRole('button', { name: /memory update failed/ }).click();

    await memoryList(page).getByRole('button', { name: 'Open “Ada lives in Lisbon.”' }).click();
    const detail = page.getByRole('dialog', { name: 'Memory' });
    await detail.getByText('Replaces an older version').waitFor();
    await check('memory dialog');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });

    for (const [tab, text] of [
      ['profile', 'Ada Lovelace'],
      ['episodes', 'Find a hotel in Porto'],
      ['summaries', 'They planned what to pack for Porto.'],
      ['archive', 'Ada keeps two hives of bees.'],
    ] as const) {
      await go(page, `#/memory/${tab}`);
      await page.getByRole('tabpanel').getByText(text).first().waitFor();
      await check(`memory: ${tab}`);
    }

    await go(page, `#/chat/${LONG_SESSION}`);
    await page.getByRole('region', { name: LONG_TITLE }).waitFor();
    await page.getByText('Reply 23:').waitFor();
    await composer(page).and(page.locator(':enabled')).waitFor();
    const held = server.hold();
    await composer(page).fill('And what about the weather?');
    await composer(page).press('Enter');
    await held;
    await page.locator('article.message.assistant[aria-busy="true"]').getByText('plan for the trip').waitFor();
    await check('chat, a reply streaming');
    server.release();
    const chip = page.getByRole('button', { name: /memor(y|ies) used/ });
    await chip.waitFor();
    await check('chat, a conversation');

    await chip.click();
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await inspector.getByText('<user_query>').first().waitFor();
    await check('context inspector');
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });

    await go(page, '#/settings');
    await appReady(page, '#/settings');
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat the passphrase').fill('correct horse battery');
    await check('settings, a new passphrase typed twice');
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();
    await check('settings, encrypted');
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByRole('heading', { name: 'This profile is locked' }).waitFor();
    await check('unlock screen');
    await page.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').waitFor();
    await check('unlock screen, wrong passphrase');
  } finally {
    server.release();
    await server.close();
  }
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
});
