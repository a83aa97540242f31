/** An automated accessibility check (axe-core) on every screen, light and dark: no serious or critical violations. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeBrowser, openApp, remember } from './browser';

afterAll(closeBrowser);

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

async function violations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Violation[] }> } }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return found
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

describe('accessibility', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious violations on any screen (${scheme})`, async () => {
      const { context, page } = await openApp({ colorScheme: scheme });
      await remember(page, 'I like long walks by the sea');
      const screens: [string, string][] = [
        ['memory facts', '#/memory/facts'],
        ['profile', '#/memory/profile'],
        ['tasks', '#/memory/episodes'],
        ['summaries', '#/memory/summaries'],
        ['archive', '#/memory/archive'],
        ['settings', '#/settings'],
        ['chat', '#/chat'],
        ['welcome', '#/welcome'],
      ];
      const problems: string[] = [];
      for (const [name, route] of screens) {
        await page.evaluate((hash) => (location.hash = hash), route);
        await page.waitForTimeout(400);
        problems.push(...(await violations(page)).map((problem) => `${name}: ${problem}`));
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
