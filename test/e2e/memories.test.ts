/** Remember, search, reload, delete: the page's main loop, on the built app in real Chromium. */
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  deleteMemory,
  listedMemories,
  memoryList,
  openApp,
  remember,
  search,
  searchPanel,
  settledStatus,
  statusDetails,
  shot,
} from './browser';

afterAll(closeBrowser);

const COFFEE = 'I drink a strong black coffee every morning before work';
const TYRES = 'The car needs new winter tyres before November';
const VIOLIN = 'My sister plays the violin in the city orchestra';

describe('memories on the page', () => {
  it('finds a memory by meaning, ranks it first and explains why', async () => {
    const { context, page, errors } = await openApp();
    expect(await settledStatus(page)).toBe('Search understands meaning and words');
    expect(await statusDetails(page)).toMatch(/Meaning model local\/glove-sif-100d \(ready\) Search mode semantic \+ keyword/);

    await remember(page, COFFEE, 'keyboard');
    await remember(page, TYRES);
    await remember(page, VIOLIN);
    await expect(memoryList(page).getByText('3 memories').isVisible()).resolves.toBe(true);

    const results = await search(page, 'espresso or tea');
    expect(results[0]).toBe(COFFEE);
    const best = searchPanel(page).locator('ol > li').first();
    // The reasons in words; the numbers behind them one click away.
    await expect(best.getByText('similar meaning', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(best.getByText('recent', { exact: true }).isVisible()).resolves.toBe(true);
    await best.getByText('Scores', { exact: true }).click();
    const scores = (await best.locator('.scores dl').innerText()).replace(/\s+/g, ' ');
    expect(scores).toMatch(/Overall \d\.\d{3} Meaning -?\d\.\d\d Recency \d\.\d\d Importance \d\.\d\d/);
    expect(Number(/Meaning (-?\d\.\d\d)/.exec(scores)![1])).toBeGreaterThan(0);

    // A word the memory contains adds "matched words" beside the meaning.
    await search(page, 'violin lessons');
    const violin = searchPanel(page).locator('ol > li').first();
    await expect(violin.locator('.text').innerText()).resolves.toBe(VIOLIN);
    await expect(violin.getByText('matched words', { exact: true }).isVisible()).resolves.toBe(true);
    await violin.getByText('Scores', { exact: true }).click();
    await expect(violin.locator('.scores dl').innerText()).resolves.toMatch(/Matched words\s+\d+\.\d\d/);

    await search(page, 'espresso or tea');
    await page.screenshot({ path: shot('e2e-search-desktop'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps every memory after a reload (IndexedDB in the worker) and still finds them', async () => {
    const { context, page } = await openApp();
    await settledStatus(page);
    await remember(page, 'Our flat is in Lisbon, near the river');
    await remember(page, 'I drink green tea in the afternoon');

    await page.reload();
    await memoryList(page).getByText('2 memories').waitFor();
    expect(await listedMemories(page)).toEqual(['I drink green tea in the afternoon', 'Our flat is in Lisbon, near the river']);
    // The words and the vectors both came back: a keyword search, then one by meaning.
    expect((await search(page, 'Lisbon'))[0]).toBe('Our flat is in Lisbon, near the river');
    expect((await search(page, 'coffee'))[0]).toBe('I drink green tea in the afternoon');
    const best = searchPanel(page).locator('ol > li').first();
    await expect(best.getByText('similar meaning', { exact: true }).isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('deletes a memory from the list and from the search results', async () => {
    const { context, page } = await openApp();
    await remember(page, 'Dentist appointment on Friday at nine');
    await remember(page, 'Friday dinner with Sam at the Thai place');
    expect(await search(page, 'Friday')).toHaveLength(2);

    await deleteMemory(page, 'Dentist appointment on Friday at nine');
    await memoryList(page).getByText('1 memory', { exact: true }).waitFor();
    expect(await listedMemories(page)).toEqual(['Friday dinner with Sam at the Thai place']);
    // The open results lose it at once, and no later search finds it.
    expect(await searchPanel(page).locator('ol > li .text').allInnerTexts()).toEqual([
      'Friday dinner with Sam at the Thai place',
    ]);
    expect(await search(page, 'Friday')).toEqual(['Friday dinner with Sam at the Thai place']);
    expect(await search(page, 'dentist appointment')).not.toContain('Dentist appointment on Friday at nine');

    // Gone for good: not back after a reload either.
    await page.reload();
    await memoryList(page).getByText('1 memory', { exact: true }).waitFor();
    expect(await listedMemories(page)).toEqual(['Friday dinner with Sam at the Thai place']);
    await context.close();
  });
});
