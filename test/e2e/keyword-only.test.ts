/** Without a reachable embedding model the app keeps working on keyword search, and says so. */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  appReady,
  closeBrowser,
  markWelcomed,
  newPage,
  remember,
  search,
  searchPanel,
  settledStatus,
  shot,
  statusDetails,
} from './browser';

afterAll(closeBrowser);

describe('no embedding model', () => {
  it('runs keyword-only, names the reason, and still saves and finds memories', async () => {
    const { context, page, errors } = await newPage();
    // No local models folder: the app falls back to the hub's default model ...
    await page.route('**/models/manifest.json', (route) => route.fulfill({ status: 404, body: 'Not found' }));
    // ... which this machine cannot reach (made explicit, so the test never depends on the network).
    await context.route(/^https:\/\/([a-z0-9-]+\.)*(huggingface\.co|hf\.co)\//, (route) => route.abort('internetdisconnected'));
    await markWelcomed(context);
    await page.goto(`${inject('baseURL')}#/memory/facts`);
    await appReady(page);

    const status = await settledStatus(page);
    expect(status).toBe(
      'Searching by words only: the meaning model could not be downloaded (are you offline?). Searches match the words you type, not their meaning.',
    );
    const details = await statusDetails(page);
    expect(details).toMatch(
      /^Meaning model Xenova\/all-MiniLM-L6-v2 \(unavailable\) Search mode keyword \(lexical\) only Reason .*Xenova\/all-MiniLM-L6-v2.+/,
    );

    await remember(page, 'Water the basil on Sundays');
    await remember(page, 'The bike lock code is written in the blue notebook');
    expect(await search(page, 'basil')).toEqual(['Water the basil on Sundays']);
    const result = searchPanel(page).locator('ol > li').first();
    await expect(result.getByText('matched words', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(result.getByText('similar meaning').count()).resolves.toBe(0);
    await result.getByText('Scores', { exact: true }).click();
    const scores = await result.locator('.scores dl').innerText();
    expect(scores).toMatch(/Matched words\s+\d+\.\d\d/);
    expect(scores).not.toContain('Meaning');
    expect(await search(page, 'notebook')).toEqual(['The bike lock code is written in the blue notebook']);
    // The context inspector opens without a chat model: what an assistant would be sent for this search.
    await searchPanel(page).getByRole('button', { name: 'See the context it would build' }).click();
    const inspector = page.getByRole('dialog', { name: 'What the assistant would be sent for “notebook”' });
    await inspector.getByText('<relevant_memories>', { exact: true }).waitFor();
    expect(await inspector.innerText()).toContain('The bike lock code is written in the blue notebook');
    await page.keyboard.press('Escape');
    await inspector.waitFor({ state: 'hidden' });

    // The search box promises only what keywords find: its example is a word, and the word finds the note.
    await remember(page, 'I drink a strong black coffee every morning');
    const box = page.getByLabel('Search memories');
    const example = (await box.getAttribute('placeholder')) ?? '';
    expect(example).not.toMatch(/\?/);
    const word = example.match(/e\.g\. (\w+)/)?.[1] ?? '';
    expect(await search(page, word)).toEqual(['I drink a strong black coffee every morning']);
    await page.reload();
    await appReady(page);
    await searchPanel(page)
      .getByText(/Search by keywords/)
      .waitFor();
    expect(await searchPanel(page).innerText()).not.toContain('by meaning:');
    // Plural and verb endings still meet: "drinks" finds "drink".
    expect(await search(page, 'drinks')).toEqual(['I drink a strong black coffee every morning']);

    // With no chat model, the chat does not invite typing into a box that cannot be used.
    await page.evaluate(() => (location.hash = '#/chat'));
    await page.getByText('No chat model is loaded').waitFor();
    await expect(page.getByRole('textbox', { name: 'Message' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByText('Say something about yourself').count()).resolves.toBe(0);
    await page.getByText('Chat starts once a chat model is loaded.').waitFor();

    await page.screenshot({ path: shot('e2e-keyword-only'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
