/**
 * What a person typed about themselves lives in the profile, not in localStorage: the "do not
 * remember" patterns and rules, retention, and the external chat server. An older version's copy in
 * localStorage is moved into the profile once and removed there; an encrypted profile keeps them
 * sealed, so a locked page (and its localStorage) does not know them until it is unlocked. A chat
 * server chosen in Settings shows as the model in use only once the profile keeps that choice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { startChatServer } from '../hardening/e2e/chat-server';
import { appReady, chooseChatServer, closeBrowser, markWelcomed, newPage, rawDatabase, unlockWith } from './browser';

afterAll(closeBrowser);

const PASSPHRASE = 'blue whale at noon, twice';
const PATTERN = 'zanzibar-\\d+';
const SERVER = 'http://127.0.0.1:9/v1';
/** What an older version wrote: the profile's choices in clear beside the app's own. */
const LEGACY = {
  welcomed: true,
  profileId: 'default',
  retention: { turn: 90 },
  doNotRemember: { rules: ['health'], patterns: [PATTERN] },
  external: { baseUrl: SERVER, model: 'private-model-7b' },
  chatModel: { engine: 'openai', baseUrl: SERVER, model: 'private-model-7b' },
};

const settings = (page: Page) => page.getByRole('link', { name: 'Settings', exact: true }).click();
const privacyForm = (page: Page) => page.getByRole('region', { name: 'Privacy' });
const stored = (page: Page) => page.evaluate(() => localStorage.getItem('mneme:settings') ?? '');

/** Settings, once the profile's choices are shown: the patterns box and the external server. */
async function shownChoices(page: Page): Promise<{ patterns: string; turn: string; server: string; model: string }> {
  await settings(page);
  const patterns = privacyForm(page).getByLabel('Your own patterns (regular expressions, one per line)');
  await patterns.waitFor();
  await page.getByText('Use an external server (off by default)').click();
  return {
    patterns: await patterns.inputValue(),
    turn: await privacyForm(page).getByLabel('turn').inputValue(),
    server: await page.getByLabel('Server URL').inputValue(),
    model: await page.getByLabel('Model name').inputValue(),
  };
}

declare global {
  interface Window {
    /** What the profile held as its chat choice the moment the page first said a server is in use. */
    chatAtClaim?: Promise<unknown>;
  }
}

/**
 * From now on, the first time the page says an external server is in use, reads the profile's
 * stored chat choice at once (raw IndexedDB, a connection opened beforehand, so the read starts in
 * the same task as the change on the page): into `window.chatAtClaim`.
 */
function readChoiceAtClaim(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const db = await window.openRawDatabase('mneme-default');
    window.chatAtClaim = new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => {
        if (!document.body.textContent?.includes('external server: text leaves this device')) return;
        observer.disconnect();
        const request = db.transaction('settings', 'readonly').objectStore('settings').get('preferences');
        request.onsuccess = () => {
          db.close();
          resolve((request.result as { value?: { chat?: unknown } } | undefined)?.value?.chat ?? null);
        };
        request.onerror = () => reject(request.error);
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  });
}

describe('the profile keeps its own choices', () => {
  it('names a chat server as the model in use only once the profile keeps the choice', async () => {
    const model = 'claimed-model';
    const server = await startChatServer(model, () => 'Hello.');
    const { context, page, errors } = await newPage();
    try {
      await markWelcomed(context);
      await page.goto(`${inject('baseURL')}#/settings`);
      await appReady(page, '#/settings');
      await readChoiceAtClaim(page);
      await chooseChatServer(page, server.url, model);
      expect(await page.evaluate(() => window.chatAtClaim)).toBe('external');
      // A reload at any moment after that finds the server chosen.
      await page.reload();
      await appReady(page, '#/settings');
      await page.getByText('external server: text leaves this device').waitFor();
      expect(await page.getByText(model, { exact: true }).count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('moves an older version’s rules and chat server out of localStorage into the profile, once', async () => {
    const { context, page, errors } = await newPage();
    await context.addInitScript((legacy) => {
      if (!localStorage.getItem('mneme:settings')) localStorage.setItem('mneme:settings', legacy);
    }, JSON.stringify(LEGACY));
    await page.goto(`${inject('baseURL')}#/settings`);
    await appReady(page, '#/settings');
    const expected = { patterns: PATTERN, turn: '90', server: SERVER, model: 'private-model-7b' };
    expect(await shownChoices(page)).toEqual(expected);
    // Gone from localStorage, which keeps only what opens the app.
    await expect.poll(() => stored(page)).not.toContain('zanzibar');
    const left = await stored(page);
    expect(left).not.toContain('127.0.0.1:9');
    expect(left).not.toContain('private-model');
    expect(left).not.toContain('health');
    expect(JSON.parse(left)).toMatchObject({ welcomed: true, profileId: 'default' });
    // In the profile: they hold after a reload, and the rule still refuses what it should.
    await page.reload();
    await appReady(page, '#/settings');
    expect(await shownChoices(page)).toEqual(expected);
    expect(await rawDatabase(page)).toContain('zanzibar');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps them sealed in an encrypted profile: a locked page does not know them, an unlocked one does', async () => {
    const { context, page, errors, logged } = await newPage();
    await context.addInitScript((legacy) => {
      if (!localStorage.getItem('mneme:settings')) localStorage.setItem('mneme:settings', legacy);
    }, JSON.stringify(LEGACY));
    await page.goto(`${inject('baseURL')}#/settings`);
    await appReady(page, '#/settings');
    await shownChoices(page);
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Repeat the passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Encrypt' }).click();
    await page.getByRole('button', { name: 'Lock now' }).waitFor();

    await page.reload();
    const locked = page.getByRole('region', { name: 'This profile is locked' });
    await locked.getByText('until it is unlocked, Mneme does not know them and talks to no chat server').waitFor();
    const html = await page.content();
    expect(html).not.toContain('zanzibar');
    expect(html).not.toContain('127.0.0.1:9');
    const raw = await rawDatabase(page);
    for (const secret of ['zanzibar', '127.0.0.1:9', 'private-model']) expect(raw).not.toContain(secret);
    expect(await stored(page)).not.toMatch(/zanzibar|127\.0\.0\.1:9|private-model/);

    await unlockWith(page, PASSPHRASE, logged);
    expect(await shownChoices(page)).toEqual({ patterns: PATTERN, turn: '90', server: SERVER, model: 'private-model-7b' });
    expect(errors).toEqual([]);
    await context.close();
  });
});
