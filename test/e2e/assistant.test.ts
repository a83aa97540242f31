/**
 * The assistant as a person meets it: first run, model setup, chat with streaming, the context
 * inspector, and memory that follows from a chat. The chat model is the local 260K TinyStories
 * Llama from MNEME_MODELS: it proves the plumbing (download, streaming, stop), not answer quality.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  closeBrowser,
  deleteMemory,
  memoryList,
  newPage,
  openApp,
  PHONE,
  remember,
  sendAndStopAtOnce,
  shot,
  startStoryModel,
  STATE_TIMEOUT,
} from './browser';
import { inject } from 'vitest';

afterAll(closeBrowser);

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

const STORY = 'karpathy/tinyllamas-stories260K';
/**
 * A reply of the tiny model takes seconds on an idle machine; on a loaded one (two cores shared by
 * many test runs) minutes, so tests that chat wait for it generously (waits end as soon as the state is there).
 */
const REPLY = { timeout: STATE_TIMEOUT };
const CHATTING = { timeout: 600_000 };

/** Chooses the local story model on the first-run screen (a test model is never preselected) and waits for the chat. */
async function setUpModel(page: Page): Promise<void> {
  await startStoryModel(page);
  await composer(page).and(page.locator(':enabled')).waitFor(REPLY);
}

/** The states of the stored memory jobs of the default profile, read from IndexedDB as the app left them. */
function storedJobStates(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { outbox } = await window.readRawStores('mneme-default', ['outbox']);
    return outbox.map((row) => row.state as string);
  });
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

describe('first run and chat', () => {
  it('recommends a model this device can run, says why others cannot in plain words, and that it is offline', async () => {
    const { context, page, errors } = await newPage();
    // No models folder: the whole catalog, downloaded from the hub, as a visitor of the published app has it.
    await page.route('**/models/manifest.json', (route) => route.fulfill({ status: 404, body: 'No local models folder' }));
    await page.goto(inject('baseURL'));
    const welcome = page.getByRole('region', { name: 'Welcome to Mneme' });
    await welcome.getByText('nothing you write is sent anywhere').waitFor();
    // SwiftShader: software graphics, said plainly; the technical facts are one click away.
    await welcome.getByText(/Graphics: software graphics \(slow\); chat models run on the processor instead/).waitFor();
    await expect(welcome.getByText('shader-f16').isVisible()).resolves.toBe(false);
    await welcome.getByText('Technical details').click();
    await expect(welcome.getByText('16-bit shaders (shader-f16)').isVisible()).resolves.toBe(true);

    // The preselected model is one this device can run (here: on the processor), never a test model.
    const model = welcome.getByLabel('Recommended for this device');
    const chosen = model.locator('option:checked');
    await expect(chosen.isDisabled()).resolves.toBe(false);
    await expect(chosen.innerText()).resolves.toMatch(/^SmolLM2 \d+M \(on the processor\) · \d+ MB$/);
    await expect(model.inputValue()).resolves.not.toBe('');
    // Models this graphics chip cannot run are listed, disabled, with the reason in words and the version that runs.
    const f16 = model.locator('option', { hasText: 'SmolLM2 360M · 210 MB' });
    await expect(f16.isDisabled()).resolves.toBe(true);
    await expect(f16.innerText()).resolves.toContain(
      'this graphics chip can’t run this version — choose SmolLM2 360M (compatible)',
    );
    // Test models are offered only by a models folder.
    expect(await model.locator('option').allInnerTexts()).not.toContainEqual(expect.stringContaining('TinyStories'));
    await page.screenshot({ path: shot('e2e-first-run'), fullPage: true });

    // Offline, the download says so in plain words; the error code is behind "Details".
    await context.setOffline(true);
    await welcome.getByRole('button', { name: 'Download and start' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The model could not be loaded: this device is offline.', { exact: false }).waitFor(REPLY);
    await expect(alert.locator('.sentence').innerText()).resolves.not.toMatch(/MODEL_NOT_FOUND|Failed to fetch/);
    const code = alert.locator('code');
    await expect(code.isVisible()).resolves.toBe(false);
    await alert.getByText('Details', { exact: true }).click();
    await expect(code.isVisible()).resolves.toBe(true);
    await page.screenshot({ path: shot('e2e-first-run-offline'), fullPage: true });
    await context.setOffline(false);

    // Settings offer no test embedders without a models folder either.
    await welcome.getByRole('button', { name: /Skip/ }).click();
    await page.goto(`${inject('baseURL')}#/settings`);
    // Settings load when first shown: wait for the list of models before reading it.
    const embedderList = page.getByLabel('Embedding model');
    await embedderList.locator('option', { hasText: 'MiniLM' }).waitFor({ state: 'attached' });
    const embedders = await embedderList.locator('option').allInnerTexts();
    expect(embedders).toContainEqual(expect.stringMatching(/^MiniLM \(English, small\) · 23 MB$/));
    expect(embedders.filter((text) => text.includes('test model'))).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it(
    'with a models folder offers what it holds, never preselects its test model, and the story model adds no failing jobs',
    CHATTING,
    async () => {
      const { context, page, errors } = await newPage();
      await page.goto(inject('baseURL'));
      const welcome = page.getByRole('region', { name: 'Welcome to Mneme' });
      const model = welcome.getByLabel('Recommended for this device');
      await model.waitFor();
      await expect(model.inputValue()).resolves.toBe('');
      expect(await model.locator('option').allInnerTexts()).toEqual([
        'TinyStories 260K (test model) · 1 MB · can’t pick out facts',
        'None for now: memory without a chat model',
      ]);
      await welcome.getByText('has no chat model for everyday use').waitFor();
      await model.selectOption(STORY);
      await welcome.getByText('This test model only continues stories').waitFor();
      await welcome.getByRole('button', { name: 'Download and start' }).click();
      await composer(page).and(page.locator(':enabled')).waitFor(REPLY);
      expect(page.url()).toContain('#/chat');
      // The chat says why facts and profile stay empty with this model.
      await page.getByRole('note').getByText('TinyStories 260K (test model) can’t pick out facts.').waitFor();

      await send(page, 'I keep bees in the garden');
      // The tiny model answers in seconds on an idle machine; the wait is long for a loaded one.
      await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor(REPLY);
      // One job per reply, keeping the user's words; none waits for retries or fails.
      await expect.poll(() => storedJobStates(page), REPLY).toEqual(['done']);
      await page.getByRole('link', { name: 'Memory', exact: true }).click();
      await memoryList(page).getByText('I keep bees in the garden').waitFor(REPLY);
      await page.getByRole('tab', { name: 'Profile' }).click();
      await page
        .getByRole('note')
        .getByText('facts, your profile and conversation summaries stay empty', { exact: false })
        .waitFor();
      await page.screenshot({ path: shot('e2e-story-model-limits'), fullPage: true });
      expect(await storedJobStates(page)).toEqual(['done']);

      // A returning visit skips the welcome and loads the same model again.
      await page.goto(`${inject('baseURL')}#/chat`);
      await composer(page).and(page.locator(':enabled')).waitFor(REPLY);
      expect(page.url()).not.toContain('welcome');
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it('can skip the models and still remember', async () => {
    const { context, page } = await newPage({ viewport: PHONE, colorScheme: 'dark' });
    await page.goto(inject('baseURL'));
    await page.getByRole('button', { name: /Skip/ }).click();
    await page.getByText('No chat model is loaded').waitFor();
    await expect(composer(page).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: shot('e2e-chat-no-model-phone-dark'), fullPage: true });
    await context.close();
  });

  it('streams a reply, stops one, regenerates, and shows what the model saw', CHATTING, async () => {
    const { context, page, errors } = await newPage();
    await page.goto(inject('baseURL'));
    await setUpModel(page);

    await send(page, 'My name is Ada and I keep bees. Once upon a time');
    // While it streams the reply is marked busy and grows; then the chip to inspect it appears.
    const streaming = page.locator('article.message.assistant[aria-busy="true"]');
    await streaming.waitFor();
    const chip = page.getByRole('button', { name: /memor(y|ies) used/ });
    await chip.waitFor(REPLY);
    const reply = page.locator('article.message.assistant .bubble').last();
    expect((await reply.innerText()).length).toBeGreaterThan(20);
    await page.screenshot({ path: shot('e2e-chat-desktop'), fullPage: true });

    await chip.click();
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await inspector.getByText('<user_query>').first().waitFor();
    await inspector.getByText(/Memory sections: \d+ of 1500 tokens/).waitFor();
    await page.screenshot({ path: shot('e2e-inspector'), fullPage: true });
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });

    // After a reload the reply still has its chip, and the inspector shows what was sent then.
    const sent = await page.evaluate(() => document.querySelector('article.message.assistant .bubble')?.textContent ?? '');
    // Every notice the chat shows from the first paint on, however briefly.
    await page.addInitScript(() => {
      const notices: string[] = [];
      (window as unknown as { notices: string[] }).notices = notices;
      new MutationObserver(() => {
        for (const notice of document.querySelectorAll('.conversation .notice')) {
          const text = notice.textContent?.replace(/\s+/g, ' ').trim() ?? '';
          if (notices.at(-1) !== text) notices.push(text);
        }
      }).observe(document, { childList: true, subtree: true, characterData: true });
    });
    await page.reload();
    await chip.waitFor();
    expect(await page.locator('article.message.assistant .bubble').first().textContent()).toBe(sent);
    // The model chosen last time loads again: chat says so (never that no model is loaded), then answers.
    await composer(page).and(page.locator(':enabled')).waitFor(REPLY);
    const notices = await page.evaluate(() => (window as unknown as { notices: string[] }).notices);
    expect(notices.length).toBeGreaterThan(0);
    for (const notice of notices) expect(notice).toMatch(/^Loading the chat model karpathy\/tinyllamas-stories260K/);
    await chip.click();
    await inspector.getByText('<user_query>').first().waitFor();
    expect(await inspector.innerText()).toContain('My name is Ada and I keep bees');
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });
    await composer(page).and(page.locator(':enabled')).waitFor(REPLY);

    // Stop: the words so far stay, marked as stopped.
    await send(page, 'Tom had a big red dog. One day');
    await streaming.waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped').first().waitFor(REPLY);

    // Regenerate replaces the last reply with a new one.
    const before = await reply.innerText();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('button', { name: 'Regenerate' }).waitFor(REPLY);
    await expect.poll(() => page.locator('article.message.assistant').count()).toBe(2);
    expect(await page.locator('article.message.assistant .bubble').last().innerText()).not.toBe(before);

    // Stopped before its first word: the message stays, marked, with Regenerate to answer it.
    await composer(page).fill('A story about a cat');
    await sendAndStopAtOnce(page);
    const missing = page.locator('article.message.assistant').filter({ hasText: 'Stopped before the first word' });
    await missing.waitFor(REPLY);
    await missing.getByText('Stopped', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await missing.waitFor({ state: 'hidden', ...REPLY });
    await page.getByRole('button', { name: 'Regenerate' }).waitFor(REPLY);
    await expect.poll(() => page.locator('article.message.assistant').count()).toBe(3);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('remembers what was said in chat, and an edit or delete changes the next context', CHATTING, async () => {
    const { context, page } = await newPage();
    await page.goto(inject('baseURL'));
    await setUpModel(page);
    await send(page, 'My dog is called Biscuit');
    await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor(REPLY);

    // The user's own words reach long-term memory right after the reply (the story model cannot extract facts).
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await memoryList(page).getByText('My dog is called Biscuit').waitFor(REPLY);
    await page.screenshot({ path: shot('e2e-memory-after-chat'), fullPage: true });

    // Edit it, then ask about it: the inspector shows the edited memory.
    await memoryList(page).getByRole('button', { name: 'Open “My dog is called Biscuit”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Memory' });
    await dialog.getByLabel('Text').fill('My dog is called Biscuit and loves the beach');
    await dialog.getByRole('button', { name: 'Save text' }).click();
    await dialog.getByText('→').first().waitFor();
    await page.screenshot({ path: shot('e2e-memory-detail'), fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await send(page, 'What is my dog called?');
    const chip = page.getByRole('button', { name: /memor(y|ies) used/ });
    await chip.waitFor(REPLY);
    await chip.click();
    const inspector = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await inspector.getByText('My dog is called Biscuit and loves the beach').first().waitFor();
    await page.keyboard.press('Escape');

    // Deleted: the next context no longer has it.
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await deleteMemory(page, 'My dog is called Biscuit and loves the beach');
    await page.getByRole('link', { name: 'Chat', exact: true }).click();
    await page.getByRole('button', { name: 'New conversation' }).click();
    await send(page, 'What is my dog called?');
    const next = page.getByRole('button', { name: /memor(y|ies) used/ });
    await next.waitFor(REPLY);
    await next.click();
    const second = page.getByRole('dialog', { name: 'What the model saw for this reply' });
    await second.getByText('<user_query>').first().waitFor();
    expect(await second.innerText()).not.toContain('loves the beach');
    await context.close();
  });

  it('lists memories, profile, tasks, summaries and the archive in tabs', async () => {
    const { context, page } = await openApp();
    await remember(page, 'I prefer trains to planes');
    for (const [tab, text] of [
      ['Profile', 'Your profile'],
      ['Tasks', 'Tasks and what they taught'],
      ['Summaries', 'Conversation summaries'],
      ['Archive & audit', 'Audit trail'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('heading', { name: text, exact: true }).waitFor();
    }
    await page.getByRole('tab', { name: 'Profile' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Ada');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.getByText('set by you').first().waitFor();
    await page.screenshot({ path: shot('e2e-profile'), fullPage: true });
    await page.getByRole('tab', { name: 'Archive & audit' }).click();
    await page
      .locator('ol.audit li')
      .filter({ hasText: 'created a note' })
      .filter({ hasText: 'I prefer trains to planes' })
      .first()
      .waitFor();
    await page.screenshot({ path: shot('e2e-archive'), fullPage: true });
    await context.close();
  });
});
