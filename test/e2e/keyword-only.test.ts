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

    await page.screenshot({ path: shot('e2e-keyword-only'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
