/**
 * The assistant as a person meets it: first run, model setup, chat with streaming, the context
 * inspector, and memory that follows from a chat. The chat model is the local 260K TinyStories
 * Llama from MNEME_MODELS: it proves the plumbing (download, streaming, stop), not answer quality.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeBrowser, deleteMemory, memoryList, newPage, openApp, PHONE, remember, shot } from './browser';
import { inject } from 'vitest';

afterAll(closeBrowser);

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

/** Loads the local story model from the first-run screen and waits for the chat to accept messages. */
async function setUpModel(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Download and start' }).click();
  await composer(page).and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

describe('first run and chat', () => {
  it('explains, checks the device, recommends a model with its size, loads it, and lands in chat', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(inject('baseURL'));
    const welcome = page.getByRole('region', { name: 'Welcome to Mneme' });
    await welcome.getByText('nothing you write is sent anywhere').waitFor();
    await welcome.getByText(/WebGPU:[\s\S]*without 16-bit shaders/).waitFor();
    const model = welcome.getByLabel(/Recommended for this device/);
    await expect(model.inputValue()).resolves.toBe('karpathy/tinyllamas-stories260K');
    // Models this GPU cannot run are listed, disabled, with the reason.
    const f16 = model.locator('option', { hasText: 'SmolLM2 360M · 210 MB' });
    await expect(f16.isDisabled()).resolves.toBe(true);
    await expect(f16.innerText()).resolves.toContain('shader-f16');
    await page.screenshot({ path: shot('e2e-first-run'), fullPage: true });

    await setUpModel(page);
    expect(page.url()).toContain('#/chat');
    // A returning visit skips the welcome and loads the same model again.
    await page.reload();
    await composer(page).and(page.locator(':enabled')).waitFor({ timeout: 30_000 });
    expect(page.url()).not.toContain('welcome');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('can skip the models and still remember', async () => {
    const { context, page } = await newPage({ viewport: PHONE, colorScheme: 'dark' });
    await page.goto(inject('baseURL'));
    await page.getByRole('button', { name: /Skip/ }).click();
    await page.getByText('No chat model is loaded').waitFor();
    await expect(composer(page).isDisabled()).resolves.toBe(true);
    await page.screenshot({ path: shot('e2e-chat-no-model-phone-dark'), fullPage: true });
    await context.close();
  });

  it('streams a reply, stops one, regenerates, and shows what the model saw', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(inject('baseURL'));
    await setUpModel(page);

    await send(page, 'My name is Ada and I keep bees. Once upon a time');
    // While it streams the reply is marked busy and grows; then the chip to inspect it appears.
    const streaming = page.locator('article.message.assistant[aria-busy="true"]');
    await streaming.waitFor();
    const chip = page.getByRole('button', { name: /memor(y|ies) used/ });
    await chip.waitFor({ timeout: 30_000 });
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
    await page.reload();
    await chip.waitFor({ timeout: 30_000 });
    expect(await page.locator('article.message.assistant .bubble').first().textContent()).toBe(sent);
    await chip.click();
    await inspector.getByText('<user_query>').first().waitFor();
    expect(await inspector.innerText()).toContain('My name is Ada and I keep bees');
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });
    await composer(page).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });

    // Stop: the words so far stay, marked as stopped.
    await send(page, 'Tom had a big red dog. One day');
    await streaming.waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped').first().waitFor({ timeout: 15_000 });

    // Regenerate replaces the last reply with a new one.
    const before = await reply.innerText();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('button', { name: 'Regenerate' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('article.message.assistant').count()).toBe(2);
    expect(await page.locator('article.message.assistant .bubble').last().innerText()).not.toBe(before);

    // Stopped before its first word: the message stays, marked, with Regenerate to answer it.
    await composer(page).fill('A story about a cat');
    await page.evaluate(() => {
      // Stop as soon as the button exists, before any token can arrive.
      const observer = new MutationObserver(() => {
        const stop = [...document.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Stop');
        if (!stop) return;
        observer.disconnect();
        stop.click();
      });
      observer.observe(document.body, { childList: true, subtree: true });
      document.querySelector<HTMLFormElement>('form.composer')!.requestSubmit();
    });
    const missing = page.locator('article.message.assistant').filter({ hasText: 'Stopped before the first word' });
    await missing.waitFor({ timeout: 15_000 });
    await missing.getByText('Stopped', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await missing.waitFor({ state: 'hidden', timeout: 30_000 });
    await page.getByRole('button', { name: 'Regenerate' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('article.message.assistant').count()).toBe(3);

    expect(errors).toEqual([]);
    await context.close();
  });

  it('remembers what was said in chat, and an edit or delete changes the next context', async () => {
    const { context, page } = await newPage();
    await page.goto(inject('baseURL'));
    await setUpModel(page);
    await send(page, 'My dog is called Biscuit');
    await page.getByRole('button', { name: /memor(y|ies) used/ }).waitFor({ timeout: 30_000 });

    // The user's own words reach long-term memory right after the reply (the story model cannot extract facts).
    await page.getByRole('link', { name: 'Memory', exact: true }).click();
    await memoryList(page).getByText('My dog is called Biscuit').waitFor({ timeout: 20_000 });
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
    await chip.waitFor({ timeout: 30_000 });
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
    await next.waitFor({ timeout: 30_000 });
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
