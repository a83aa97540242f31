/**
 * Privacy in the app: export → wipe → import, a passphrase lock, text that can never run script,
 * the privacy settings (applied without losing the chat model, checked field by field) and
 * "do not remember" in conversations.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import {
  closeBrowser,
  listedMemories,
  memoryList,
  newPage,
  openApp,
  rawDatabase,
  remember,
  search,
  shot,
  STATE_TIMEOUT,
  type AppPage,
  startStoryModel,
  unlockWith,
} from './browser';

afterAll(closeBrowser);

const settings = (page: Page) => page.getByRole('link', { name: 'Settings', exact: true }).click();
const memories = async (page: Page) => {
  await page.getByRole('link', { name: 'Memory', exact: true }).click();
  await page.getByRole('button', { name: 'Search', exact: true }).and(page.locator(':enabled')).waitFor();
};

const XSS = [
  '<script>window.__xss = "script"</script>',
  '<img src=x onerror="window.__xss = \'img\'">',
  '<svg onload="window.__xss = \'svg\'"><circle r="1"/></svg>',
  "[click me](javascript:window.__xss='link')",
  '<a href="javascript:window.__xss=\'anchor\'">anchor</a>',
  '"><iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
  '<details open ontoggle="window.__xss=\'toggle\'">x</details>',
];

describe('privacy in the app', () => {
  it('exports everything, deletes everything, and imports it back', async () => {
    const { context, page } = await openApp();
    await remember(page, 'The spare key is with the neighbour at number 12');
    await remember(page, 'Anna’s birthday is on the 3rd of May');

    await settings(page);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export everything' }).click();
    const file = join(tmpdir(), `mneme-export-${Date.now()}.json`);
    await (await download).saveAs(file);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { memories: { text: string }[] };
    expect(exported.memories.map((m) => m.text).sort()).toEqual([
      'Anna’s birthday is on the 3rd of May',
      'The spare key is with the neighbour at number 12',
    ]);

    await page.getByLabel(/Type “delete”/).fill('delete');
    await page.getByRole('button', { name: 'Delete everything' }).click();
    await page.getByText('Everything in this profile was deleted.').waitFor({ state: 'attached' });
    await memories(page);
    await memoryList(page).getByText('0 memories').waitFor();

    await settings(page);
    await page.getByLabel('Export file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported 2 memories.').waitFor({ state: 'attached' });
    await memories(page);
    await memoryList(page).getByText('2 memories').waitFor();
    expect((await search(page, 'who has the key'))[0]).toBe('The spare key is with the neighbour at number 12');
    await context.close();
  });

  it('asks for the passphrase of a sealed file beside Import, and says what an import brought', async () => {
    const { context, page } = await openApp();
    // This browser declines persistent storage: the page says so and what to do about it.
    await context.addInitScript(() => {
      Object.assign(navigator.storage, { persist: async () => false, persisted: async () => false });
    });
    await page.reload();
    await page.getByRole('button', { name: 'Search', exact: true }).and(page.locator(':enabled')).waitFor();
    await remember(page, 'The spare key is with the neighbour at number 12');
    await settings(page);
    await page.getByRole('button', { name: 'Keep my data (persistent storage)' }).click();
    await page.getByText('Your browser declined to keep data permanently; it may clear it when space runs low.').waitFor();

    await page.getByLabel('Export passphrase (optional)').fill('blue whale at noon');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export everything' }).click();
    const file = join(tmpdir(), `mneme-sealed-${Date.now()}.json`);
    await (await download).saveAs(file);

    await page.getByLabel('Export file').setInputFiles(file);
    // A sealed file is recognised as it is chosen: the passphrase field appears beside Import.
    const importForm = page.locator('form.import');
    const passphrase = importForm.getByLabel(/This file is sealed/);
    await passphrase.waitFor();
    await expect(importForm.getByRole('button', { name: 'Import', exact: true }).isDisabled()).resolves.toBe(true);
    await passphrase.fill('blue whale at noon');
    await importForm.getByRole('button', { name: 'Import', exact: true }).click();
    await importForm.getByText('1 memory already there, nothing new.').waitFor();
    // No error banner at the top of the page for any of this.
    await expect(page.locator('main > .notice[role="alert"]').count()).resolves.toBe(0);

    // Sent without its passphrase anyway (the field emptied): the error sits under the form, with its code.
    await page.getByLabel('Export file').setInputFiles([]);
    await page.getByLabel('Export file').setInputFiles(file);
    await passphrase.fill('wrong whale');
    await importForm.getByRole('button', { name: 'Import', exact: true }).click();
    const error = importForm.getByRole('alert');
    await error.getByText('that passphrase does not match').waitFor();
    // The code sits one click away, under "Details".
    await error.getByText('WRONG_PASSPHRASE').waitFor({ state: 'attached' });
    await expect.poll(() => passphrase.evaluate((element) => document.activeElement === element)).toBe(true);
    await context.close();
  });

  it('encrypts with a passphrase, locks, refuses a wrong one, and unlocks', async () => {
    const { context, page } = await openApp();
    await remember(page, 'My bank is the one on Avenida da Liberdade');
    await settings(page);
    // Too easy to guess offline: refused as it is typed, with the reason.
    await page.getByLabel('Passphrase', { exact: true }).fill('Password2024!');
    await page.getByLabel('Repeat the passphrase').fill('Password2024!');
    await page.getByText('Weak: it is one of the most used passwords, tried first.').waitFor();
    await expect(page.getByRole('button', { name: 'Encrypt' }).isDisabled()).resolves.toBe(true);
    // It cannot be recovered, so it is typed twice; a mismatch is named and blocks the button.
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat the passphrase').fill('correct horse batery');
    await page.getByText('The two passphrases do not match.').waitFor();
    await expect(page.getByRole('button', { name: 'Encrypt' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('Repeat the passphrase').fill('correct horse battery');
    await page.getByText('The two passphrases do not match.').waitFor({ state: 'hidden' });
    await page.getByText(/(Fair|Strong): /).waitFor();
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByRole('button', { name: 'Lock now' }).click();
    const unlock = page.getByRole('region', { name: 'This profile is locked' });
    await unlock.waitFor();
    await page.screenshot({ path: shot('e2e-locked'), fullPage: true });

    await unlock.getByLabel('Passphrase').fill('wrong passphrase');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').getByText('that passphrase does not match').waitFor();
    await unlockWith(page, 'correct horse battery');

    // Locked again after a reload: the key lives only in memory.
    await page.reload();
    await page.getByRole('region', { name: 'This profile is locked' }).waitFor();
    await page.getByRole('region', { name: 'This profile is locked' }).getByLabel('Passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await memories(page);
    // The list fills once the unlocked memory has been read: wait for that state.
    await expect.poll(() => listedMemories(page)).toEqual(['My bank is the one on Avenida da Liberdade']);
    await context.close();
  });

  it('shows hostile text as text in memories, chat, profile and imports: no script ever runs', async () => {
    const { context, page, errors } = await openApp();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    for (const payload of XSS) await remember(page, payload);
    await search(page, 'xss script window');

    await page.getByRole('tab', { name: 'Profile' }).click();
    await page.getByLabel('Name', { exact: true }).fill(XSS[1]!);
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.getByText('set by you').first().waitFor();

    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();

    // An import with hostile memories.
    await settings(page);
    const file = join(tmpdir(), `mneme-xss-${Date.now()}.json`);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export everything' }).click();
    await (await download).saveAs(file);
    const data = JSON.parse(readFileSync(file, 'utf8')) as { memories: { id: string; text: string }[] };
    data.memories = data.memories.map((m, i) => ({ ...m, text: `${XSS[i % XSS.length]} imported` }));
    writeFileSync(file, JSON.stringify(data));
    await page.getByLabel('Export file').setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/Imported \d+ memories/).waitFor({ state: 'attached' });
    await memories(page);
    await memoryList(page).getByText(`${XSS[0]!} imported`).first().waitFor();

    // No link the page renders leads to script (the URL parser sees through case, spaces and entities).
    const scriptLinks = () =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLAnchorElement | HTMLAreaElement>('a[href], area[href]')]
          .filter((link) => link.protocol === 'javascript:')
          .map((link) => link.outerHTML),
      );
    expect(await scriptLinks()).toEqual([]);
    await search(page, 'click me anchor');
    expect(await scriptLinks()).toEqual([]);
    expect(await page.evaluate(() => (window as { __xss?: string }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    expect(await page.locator('main script, main iframe, main img[onerror], main svg[onload]').count()).toBe(0);
    await page.screenshot({ path: shot('e2e-xss-as-text'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('ships a strict Content-Security-Policy', async () => {
    const { context, page } = await openApp();
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    // The policy is live: an injected inline script is refused.
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.body.append(script);
      return (window as { __inline?: boolean }).__inline === true;
    });
    expect(ran).toBe(false);
    await context.close();
  });
});

/** How long a model load or a reply may take on a machine many others share. */
const MODEL_WAIT = STATE_TIMEOUT;
const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });
const privacy = (page: Page) => page.getByRole('region', { name: 'Privacy' });

/** Sends a message and waits for the reply to finish (its context chip appears). */
async function chatTurn(page: Page, text: string, replies: number): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await page
    .getByRole('button', { name: /memor(y|ies) used/ })
    .nth(replies - 1)
    .waitFor({ timeout: MODEL_WAIT });
}

describe('privacy settings', () => {
  /** A new visitor loads the local story model from the first-run screen; console errors are collected. */
  async function withModel(): Promise<AppPage & { consoleErrors: string[] }> {
    const app = await newPage();
    const consoleErrors: string[] = [];
    app.page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    await app.page.goto(inject('baseURL'));
    await startStoryModel(app.page);
    // Loading a model is the slowest step on a busy machine.
    await composer(app.page).and(app.page.locator(':enabled')).waitFor({ timeout: MODEL_WAIT });
    return { ...app, consoleErrors };
  }

  it(
    'applies without losing the chat model, and a profile switch brings the model along',
    async () => {
      const { context, page, errors, consoleErrors } = await withModel();
      // Apply with nothing changed: the model stays and the next message is answered.
      await settings(page);
      await privacy(page).getByRole('button', { name: 'Apply' }).click();
      await privacy(page).getByRole('status').getByText('Saved.').waitFor();
      await page.getByRole('link', { name: 'Chat', exact: true }).click();
      await composer(page).and(page.locator(':enabled')).waitFor();
      await chatTurn(page, 'Once upon a time there was a bee', 1);

      // Another profile opens a new client: the chosen chat model comes along and answers there too.
      await settings(page);
      await page.getByLabel('New profile name').fill('work');
      await page.getByRole('button', { name: 'Create and switch' }).click();
      await page.getByText('work (open)').waitFor();
      await page.getByRole('link', { name: 'Chat', exact: true }).click();
      await composer(page).and(page.locator(':enabled')).waitFor({ timeout: MODEL_WAIT });
      await chatTurn(page, 'Once upon a time there was a fox', 1);
      expect(consoleErrors.filter((line) => line.includes('No chat model'))).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    },
    4 * MODEL_WAIT,
  );

  it(
    'keeps blocked text out of the conversation, its title and the database, and says so under the message',
    async () => {
      const { context, page, errors } = await withModel();
      await settings(page);
      await privacy(page).getByLabel('Passwords and PINs').check();
      await privacy(page).getByLabel('Payment card numbers').check();
      await privacy(page).getByRole('button', { name: 'Apply' }).click();
      await privacy(page).getByText('Not remembered: Payment card numbers, Passwords and PINs.').waitFor();
      await page.getByRole('link', { name: 'Chat', exact: true }).click();
      await chatTurn(page, 'My password is tulip42 and my card number is 4111 1111 1111 1111', 1);
      const stored = 'My password is [withheld: password] and my card number is [withheld: card-number]';
      const note = 'Not stored and not sent to the model: a password and a card number (your “do not remember” rules).';
      const log = page.getByRole('log');
      await log.getByText(stored).waitFor();
      await log.getByText(note).waitFor();
      await page.screenshot({ path: shot('e2e-chat-withheld'), fullPage: true });

      await page.reload();
      await log.getByText(stored).waitFor({ timeout: MODEL_WAIT });
      await log.getByText(note).waitFor();
      const titles = await page.getByRole('navigation', { name: 'Conversations' }).getByRole('link').allInnerTexts();
      expect(titles).toEqual([`${stored.slice(0, 59)}…`]);
      expect(await log.innerText()).not.toMatch(/tulip42|4111 1111/);
      const raw = await rawDatabase(page);
      expect(raw).toContain('[withheld: password]');
      expect(raw).not.toContain('tulip42');
      expect(raw).not.toContain('4111 1111 1111 1111');
      expect(errors).toEqual([]);
      await context.close();
    },
    3 * MODEL_WAIT,
  );

  it('saves what is valid, says exactly what was not saved, and never leaves a stale success', async () => {
    const { context, page, errors } = await openApp();
    await settings(page);
    const form = privacy(page);
    await form.getByLabel('turn').fill('90');
    await form.getByLabel('note').fill('-5');
    await form.getByLabel('Passwords and PINs').check();
    await form.getByLabel('Health conditions and medication').check();
    await form.getByRole('button', { name: 'Apply' }).click();
    const outcome = form.getByRole('alert');
    await outcome.getByText('Saved in part.').waitFor();
    await outcome.getByText('Kept turns for 90 days; everything else until it fades.').waitFor();
    await outcome.getByText('Not remembered: Passwords and PINs, Health conditions and medication.').waitFor();
    await outcome
      .getByText('Keep notes: “-5” is not a whole number of days (1 to 36,500). Notes are still kept until they fade.')
      .waitFor();
    await expect(form.getByLabel('note').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.screenshot({ path: shot('e2e-privacy-partly-saved'), fullPage: true });

    // An edit clears the old outcome; a valid Apply says "Saved." and nothing else.
    await form.getByLabel('note').fill('');
    await expect(form.getByText('Saved in part.').count()).resolves.toBe(0);
    await form.getByRole('button', { name: 'Apply' }).click();
    await form.getByRole('status').getByText('Saved.').waitFor();
    await expect(form.getByLabel('note').getAttribute('aria-invalid')).resolves.toBeNull();

    // The rules hold at once and after a reload.
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    const box = page.getByLabel('What should Mneme remember?');
    await box.fill('My password is swordfish');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/This memory was not saved: it falls under one of your/)
      .waitFor();
    await remember(page, 'The boat is blue');
    await page.reload();
    await settings(page);
    await expect(privacy(page).getByLabel('turn').inputValue()).resolves.toBe('90');
    await expect(privacy(page).getByLabel('Health conditions and medication').isChecked()).resolves.toBe(true);
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await memoryList(page).getByText('1 memory').waitFor();
    expect(await listedMemories(page)).toEqual(['The boat is blue']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
