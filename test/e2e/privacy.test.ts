/** Privacy in the app: export → wipe → import, a passphrase lock, and text that can never run script. */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeBrowser, listedMemories, memoryList, openApp, remember, search, shot } from './browser';

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
    await error.getByText('WRONG_PASSPHRASE').waitFor();
    await expect.poll(() => passphrase.evaluate((element) => document.activeElement === element)).toBe(true);
    await context.close();
  });

  it('encrypts with a passphrase, locks, refuses a wrong one, and unlocks', async () => {
    const { context, page } = await openApp();
    await remember(page, 'My bank is the one on Avenida da Liberdade');
    await settings(page);
    // It cannot be recovered, so it is typed twice; a mismatch is named and blocks the button.
    await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
    await page.getByLabel('Repeat the passphrase').fill('correct horse batery');
    await page.getByText('The two passphrases do not match.').waitFor();
    await expect(page.getByRole('button', { name: 'Encrypt' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('Repeat the passphrase').fill('correct horse battery');
    await page.getByText('The two passphrases do not match.').waitFor({ state: 'hidden' });
    await page.getByText(/(Fair|Strong)\./).waitFor();
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByRole('button', { name: 'Lock now' }).click();
    const unlock = page.getByRole('region', { name: 'This profile is locked' });
    await unlock.waitFor();
    await page.screenshot({ path: shot('e2e-locked'), fullPage: true });

    await unlock.getByLabel('Passphrase').fill('wrong passphrase');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').getByText('that passphrase does not match').waitFor();
    await unlock.getByLabel('Passphrase').fill('correct horse battery');
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    await unlock.waitFor({ state: 'hidden' });

    // Locked again after a reload: the key lives only in memory.
    await page.reload();
    await page.getByRole('region', { name: 'This profile is locked' }).waitFor();
    await page.getByRole('region', { name: 'This profile is locked' }).getByLabel('Passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await memories(page);
    expect(await listedMemories(page)).toEqual(['My bank is the one on Avenida da Liberdade']);
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

    // Click every link the page shows, then check nothing ran.
    for (const link of await page.locator('main a[href^="javascript"]').all()) await link.click().catch(() => undefined);
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
