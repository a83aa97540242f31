/**
 * An encrypted profile in the app: a locked page holds nothing of the profile (not in the DOM: no
 * toast, no announcement, no list), by "Lock now" and after the chosen idle time; its export is
 * sealed unless the person confirms a file in clear; deleting it asks for its passphrase.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeBrowser, deleteMemory, listedMemories, openApp, remember, search, unlockWith } from './browser';

afterAll(closeBrowser);

const PASSPHRASE = 'blue whale at noon, twice';
const CANARIES = ['Canary tangerine submarine at pier 41', 'Canary violet lighthouse keeps 73 owls'];
const QUERY = 'tangerine submarine';

const settings = (page: Page) => page.getByRole('link', { name: 'Settings', exact: true }).click();
const lockedRegion = (page: Page) => page.getByRole('region', { name: 'This profile is locked' });
/** Every canary (and the search that found one) the page's DOM still holds. */
const leaked = async (page: Page) => {
  const html = await page.content();
  return [...CANARIES, QUERY].filter((canary) => html.includes(canary));
};

async function encrypt(page: Page): Promise<void> {
  await settings(page);
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Encrypt' }).click();
  await page.getByRole('button', { name: 'Lock now' }).waitFor();
}

const unlock = (page: Page) => unlockWith(page, PASSPHRASE);

describe('locking', () => {
  it('leaves nothing of the profile on the page after "Lock now" or after idle', async () => {
    const { context, page } = await openApp();
    // The undo toast stays until the lock (it would otherwise leave by itself).
    await page.evaluate(() => localStorage.setItem('mneme:undo-ms', '600000'));
    for (const text of CANARIES) await remember(page, text);
    expect((await search(page, QUERY))[0]).toBe(CANARIES[0]);
    await deleteMemory(page, CANARIES[1]!);
    await page.getByText(`Deleted “${CANARIES[1]!.slice(0, 30)}`).waitFor();

    await encrypt(page);
    // The toast of the delete is still on screen, quoting the memory.
    expect(await leaked(page)).toEqual([CANARIES[1]]);
    await page.getByRole('button', { name: 'Lock now' }).click();
    await lockedRegion(page).waitFor();
    expect(await leaked(page)).toEqual([]);

    // Unlocked, the memories come back from the profile, not from the page's leftovers.
    await unlock(page);
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await expect.poll(() => listedMemories(page)).toEqual([CANARIES[0]]);
    expect((await search(page, QUERY))[0]).toBe(CANARIES[0]);

    // Auto-lock: 15 minutes by default; a test shortens the chosen time, which starts counting when chosen.
    await settings(page);
    const choice = page.getByLabel('Lock after');
    await expect(choice.inputValue()).resolves.toBe('15');
    await page.evaluate(() => localStorage.setItem('mneme:auto-lock-ms', '1500'));
    await choice.selectOption('5');
    await lockedRegion(page).waitFor();
    expect(await leaked(page)).toEqual([]);
    // The choice is kept (back to its real length, 5 minutes).
    await page.evaluate(() => localStorage.removeItem('mneme:auto-lock-ms'));
    await unlock(page);
    await settings(page);
    await expect(page.getByLabel('Lock after').inputValue()).resolves.toBe('5');
    await context.close();
  });
});

describe('an encrypted profile’s export and deletion', () => {
  const downloaded = async (page: Page, click: () => Promise<void>) => {
    const download = page.waitForEvent('download');
    await click();
    return readFileSync((await (await download).path())!, 'utf8');
  };

  it('exports sealed by default, in clear only after a confirmed warning', async () => {
    const { context, page } = await openApp();
    await remember(page, CANARIES[0]!);
    await encrypt(page);
    await expect(page.getByRole('button', { name: 'Export everything' }).count()).resolves.toBe(0);
    const sealedButton = page.getByRole('button', { name: 'Export sealed' });
    await page.getByLabel('File passphrase', { exact: true }).fill('short');
    await page.getByText(/Too short: at least 12 characters/).waitFor();
    await expect(sealedButton.isDisabled()).resolves.toBe(true);
    await page.getByLabel('File passphrase', { exact: true }).fill('another whale for the file');
    await page.getByLabel('Repeat the file passphrase').fill('another whale for the file');
    const sealed = await downloaded(page, () => sealedButton.click());
    expect(JSON.parse(sealed)).toMatchObject({ format: expect.stringMatching(/encrypted/) });
    expect(sealed).not.toContain(CANARIES[0]);

    await page.getByRole('button', { name: 'Export without encryption…' }).click();
    await page.getByText('The file will not be encrypted.').waitFor();
    const clearButton = page.getByRole('button', { name: 'Export in clear' });
    await expect(clearButton.isDisabled()).resolves.toBe(true);
    await page.getByLabel('I understand: export everything in clear').check();
    expect(await downloaded(page, () => clearButton.click())).toContain(CANARIES[0]);
    await context.close();
  });

  it('deletes a locked profile only with its passphrase, or destroys it once its name is typed', async () => {
    const { context, page } = await openApp();
    page.on('dialog', (dialog) => void dialog.accept());
    await remember(page, CANARIES[0]!);
    await encrypt(page);
    // Another profile opens; the encrypted one is now closed and locked.
    await page.getByLabel('New profile name').fill('other');
    await page.getByRole('button', { name: 'Create and switch' }).click();
    await page.getByText('other (open)').waitFor();
    await page.getByRole('button', { name: 'Delete profile “default”' }).click();
    const panel = page.getByRole('group', { name: 'Delete the encrypted profile “default”' });
    await panel.getByLabel('“default” is encrypted: its passphrase').fill('not the passphrase at all');
    await panel.getByRole('button', { name: 'Delete', exact: true }).click();
    await panel.getByRole('alert').getByText('that passphrase does not match').waitFor();
    await expect(page.getByText('default', { exact: true }).count()).resolves.toBe(1);

    await panel.getByText('I forgot its passphrase').click();
    const destroy = panel.getByRole('button', { name: 'Destroy' });
    await panel.getByLabel('Type “default” to destroy it').fill('defaul');
    await expect(destroy.isDisabled()).resolves.toBe(true);
    await panel.getByLabel('Type “default” to destroy it').fill('default');
    await destroy.click();
    await panel.waitFor({ state: 'detached' });
    await expect(page.getByRole('button', { name: 'Delete profile “default”' }).count()).resolves.toBe(0);
    await context.close();
  });
});
