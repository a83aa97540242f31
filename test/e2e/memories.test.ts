/** Remember, search, reload, delete: the page's main loop, on the built app in real Chromium. */
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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

/** A memory as IndexedDB holds it (read without Mneme's code): id, words, dates and weights. */
function stored(page: Page, text: string): Promise<Record<string, unknown> | undefined> {
  return page.evaluate(async (wanted) => {
    const { memories } = await window.readRawStores('mneme-default', ['memories']);
    const row = memories.find((candidate) => candidate.text === wanted);
    return row && JSON.parse(JSON.stringify(row));
  }, text);
}

const undoButton = (page: Page) => page.getByRole('button', { name: 'Undo', exact: true });

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

  it('opens the memory clicked right after closing another, and the same one again', async () => {
    const { context, page, errors } = await openApp();
    const first = 'The spare key is under the third flower pot';
    const second = 'Book the boiler service before the winter';
    await remember(page, first);
    await remember(page, second);
    const dialog = page.getByRole('dialog', { name: 'Memory' });
    await memoryList(page)
      .getByRole('button', { name: `Open “${first}”` })
      .click();
    await expect.poll(() => dialog.getByLabel('Text').inputValue()).toBe(first);

    // Close, then a click on a row in the same moment: the dialog's close event arrives a frame
    // later, after the click, and must not undo it.
    const closeAndOpen = (text: string) =>
      page.evaluate((label) => {
        const buttons = [...document.querySelectorAll<HTMLButtonElement>('button')];
        buttons.find((b) => b.closest('dialog[open]') && b.textContent?.trim() === 'Close')!.click();
        buttons.find((b) => b.getAttribute('aria-label') === label)!.click();
      }, `Open “${text}”`);
    const afterTwoFrames = () =>
      page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    for (const text of [second, second, first]) {
      await closeAndOpen(text);
      await afterTwoFrames();
      await expect(dialog.isVisible(), `the dialog is open for “${text}”`).resolves.toBe(true);
      await expect(dialog.getByLabel('Text').inputValue()).resolves.toBe(text);
    }
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('undoes a delete with the very same memory, by button or Ctrl+Z; without undo it stays deleted', async () => {
    const { context, page } = await openApp();
    // A short toast keeps the test quick; the app's own default is a few seconds.
    await page.evaluate(() => localStorage.setItem('mneme:undo-ms', '2500'));
    await remember(page, COFFEE);
    await remember(page, TYRES);
    const coffee = await stored(page, COFFEE);
    const tyres = await stored(page, TYRES);
    expect(coffee?.id).toEqual(expect.any(String));

    await deleteMemory(page, COFFEE);
    await memoryList(page).getByText('1 memory', { exact: true }).waitFor();
    await page.getByText(`Deleted “${COFFEE.slice(0, 40)}`).waitFor();
    await undoButton(page).click();
    await memoryList(page).getByText('2 memories').waitFor();
    expect(await stored(page, COFFEE)).toMatchObject({
      id: coffee!.id,
      text: COFFEE,
      createdAt: coffee!.createdAt,
      importance: coffee!.importance,
      kind: coffee!.kind,
    });
    await undoButton(page).waitFor({ state: 'hidden' });

    // From the keyboard: focus stays in the list after the delete; Ctrl+Z brings it back.
    await deleteMemory(page, TYRES);
    await memoryList(page).getByText('1 memory', { exact: true }).waitFor();
    await undoButton(page).waitFor();
    await page.keyboard.press('Control+z');
    await memoryList(page).getByText('2 memories').waitFor();
    expect((await stored(page, TYRES))?.id).toBe(tyres!.id);

    // No undo: once the toast has gone, the memory is gone for good.
    await deleteMemory(page, TYRES);
    await undoButton(page).waitFor();
    await undoButton(page).waitFor({ state: 'hidden', timeout: 20_000 });
    await page.reload();
    await memoryList(page).getByText('1 memory', { exact: true }).waitFor();
    expect(await listedMemories(page)).toEqual([COFFEE]);
    expect(await stored(page, TYRES)).toBeUndefined();
    // The trail says the memory came back.
    await page.getByRole('tab', { name: 'Archive & audit' }).click();
    await page.locator('ol.audit li').filter({ hasText: 'You restored a memory' }).filter({ hasText: COFFEE }).waitFor();
    await context.close();
  });

  it('shows in the audit trail which memory changed and how: created, pinned, edited', async () => {
    const { context, page } = await openApp();
    await remember(page, VIOLIN);
    await remember(page, TYRES);
    await memoryList(page)
      .getByRole('button', { name: `Open “${VIOLIN.slice(0, 60)}”` })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Memory' });
    await dialog.getByRole('button', { name: 'Pin', exact: true }).click();
    await dialog.getByRole('button', { name: 'Unpin', exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Archive & audit' }).click();
    const trail = page.locator('ol.audit');
    await trail.locator('li').filter({ hasText: 'You pinned a note' }).waitFor();
    const lines = await trail.locator('li').allInnerTexts();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^You pinned a note ·/);
    expect(lines[0]).toContain(VIOLIN);
    // Two creations, each with its own words.
    expect(lines.slice(1).map((line) => line.split('\n')[0]!.replace(/ ·.*/, ''))).toEqual([
      'You created a note',
      'You created a note',
    ]);
    expect(lines[1]).toContain(TYRES);
    expect(lines[2]).toContain(VIOLIN);
    await page.screenshot({ path: shot('e2e-audit'), fullPage: true });
    await context.close();
  });
});
