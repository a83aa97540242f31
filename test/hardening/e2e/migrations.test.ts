/**
 * Migrations in the app: a browser that kept a profile from an earlier version of Mneme opens it
 * in today's build with every memory listed and searchable.
 *
 * Each trial seeds the old database into the app's origin before the app's first load (the page
 * first opens a static file of the origin, and the fixture is written there with raw IndexedDB,
 * exactly as that version wrote it), then loads the app and reads the memory list and a keyword
 * search, and again after a reload. The node suite checks every format field by field; this one
 * checks what a person sees, for the formats the app can meet: schema 1 and today's schema 2.
 */
import { afterAll, describe, expect, it, inject } from 'vitest';
import { closeBrowser, appReady, listedMemories, markWelcomed, memoryList, newPage, search } from '../../e2e/browser';
import { Tally, trials } from '../harness';
import { buildFixture, nameOf, type Format } from '../fixtures/migrations';
import { portable, writeRawDatabase, type RawDatabase } from '../fixtures/raw-idb';

afterAll(closeBrowser);

const tally = new Tally('migrations', 1);

/** The app's embedder in the e2e build, so the stored vectors are the ones it searches. */
const MODEL = 'local/glove-sif-100d';

describe('migrations in the app', () => {
  it('opens an earlier profile with every memory listed and found', async () => {
    const formats: Format[] = trials(2, 1) === 2 ? ['v1', 'v2'] : ['v1'];
    for (const format of formats) {
      const seed = tally.random.int(1, 1e6);
      await tally.trial(`${format} in the app (seed ${seed})`, async () => {
        const problems: string[] = [];
        // The app's default profile: `mneme-default` (DEFAULTS in src/sdk/options.ts).
        const fixture = await buildFixture({
          format,
          seed,
          count: 320,
          now: Date.now(),
          storageName: 'mneme',
          model: MODEL,
          dim: 100,
        });
        const { context, page, errors } = await newPage();
        await markWelcomed(context);
        await page.goto(`${inject('baseURL')}favicon.svg`);
        for (const database of fixture.raw) {
          await page.evaluate(writeRawDatabase as (spec: unknown) => Promise<void>, portable(database) as RawDatabase);
        }
        await page.goto(`${inject('baseURL')}#/memory/facts`);
        await appReady(page);

        // The list shows current memories (not superseded or archived), newest first.
        const visible = fixture.expected.memories
          .filter((m) => m.validTo === undefined && m.archivedAt === undefined)
          .sort((a, b) => b.createdAt - a.createdAt);
        for (const pass of ['first load', 'reload']) {
          await memoryList(page).getByText(`${visible.length} memories`, { exact: true }).waitFor();
          const shown = await listedMemories(page);
          const newest = visible.slice(0, Math.min(5, shown.length)).map((m) => m.text);
          if (shown.length === 0 || !newest.every((text, i) => shown[i] === text))
            problems.push(`${pass}: the list shows ${JSON.stringify(shown.slice(0, 5))}, expected ${JSON.stringify(newest)}`);
          // The oldest memories are found by a word only they hold.
          const indexes = fixture.expected.memories.flatMap((m, i) => (m.validTo === undefined && m.kind !== 'turn' ? [i] : []));
          for (const i of [indexes[0]!, indexes[tally.random.int(0, indexes.length - 1)]!]) {
            const results = await search(page, nameOf(i));
            if (results[0] !== fixture.expected.memories[i]!.text)
              problems.push(`${pass}: searching "${nameOf(i)}" showed ${JSON.stringify(results[0])}`);
          }
          if (pass === 'first load') {
            await page.reload();
            await appReady(page);
          }
        }
        expect(errors).toEqual([]);
        await context.close();
        return problems;
      });
    }
    tally.report();
  });
});
