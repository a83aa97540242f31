/**
 * Two devices (two Chromium contexts, each its own IndexedDB) sync one profile through
 * pouchdb-server on loopback: pairing, add / edit / delete, offline edits on both converging to
 * the merge rule's result, and a server that holds none of the words. Offline is the browser's
 * (`setOffline`) and the network's: a proxy the test cuts (in our runs the emulation alone left the
 * memory worker's requests going through). Every wait is for a state.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MemoryItem } from '../../src/sdk/index';
import { serverDump } from '../contract/sync.contract';
import { device as deviceOn, get, status, useSyncNetwork } from './sync-devices';

const net = useSyncNetwork();
const device = (label: string) => deviceOn(net.hostUrl, label);

/** A memory of the default kind (a note). */
const add = (page: Page, text: string) => page.evaluate((t) => window.mneme!.memories.add(t), text);
const textOf = async (page: Page, id: string) => (await get(page, id))?.text;

/** The memories of a device, local bookkeeping aside: equal on two devices that converged. */
async function state(page: Page): Promise<string> {
  const items = await page.evaluate(() => window.mneme!.memories.list({ limit: 1000 }));
  return items
    .map(({ embeddingModel: _model, lastAccessedAt: _used, ...rest }: MemoryItem) => JSON.stringify(rest))
    .sort()
    .join('\n');
}

/** Milliseconds from `start` until `read` returns `want` (a figure for the report, not an assertion). */
async function arrival<T>(start: number, read: () => Promise<T>, want: T): Promise<number> {
  await expect.poll(read, { interval: 20 }).toEqual(want);
  return Date.now() - start;
}

describe('sync between two browsers', () => {
  it('pairs, propagates adds, edits and deletes, converges after offline edits on both, and the server holds no words', async () => {
    const a = await device('A');
    const b = await device('B');
    const seen: number[] = [];

    const first = await add(a.page, 'canary-wren-1: the user is learning Portuguese');
    await a.page.evaluate((url) => window.mneme!.sync.enable({ url }), net.proxy.url);
    const code = await a.page.evaluate(() => window.mneme!.sync.pairingCode());
    await b.page.evaluate((c) => window.mneme!.sync.join(c), code);
    const listed = (page: Page) =>
      page.evaluate(() => window.mneme!.memories.list({ limit: 1000 }).then((items) => items.map((item) => item.id)));
    await expect.poll(() => listed(b.page)).toContain(first.id);
    // A merge lands through the memory service: as soon as it is listed it is found.
    expect(await b.page.evaluate(() => window.mneme!.memories.search('Portuguese').then((hits) => hits[0]?.item.id))).toBe(
      first.id,
    );
    expect(await textOf(b.page, first.id)).toBe(first.text);

    // One change on A reaching B, both open (measured, reported, never asserted).
    for (let round = 0; round < 5; round++) {
      const start = Date.now();
      const item = await add(a.page, `canary-wren-round-${round}: a note made on the laptop`);
      seen.push(await arrival(start, () => textOf(b.page, item.id), item.text));
    }
    const second = await add(b.page, 'canary-wren-2: the user cycles to work');
    await expect.poll(() => textOf(a.page, second.id)).toBe(second.text);
    await a.page.evaluate(
      (id) => window.mneme!.memories.update(id, { text: 'canary-wren-3: the user walks to work' }),
      second.id,
    );
    await expect.poll(() => textOf(b.page, second.id)).toBe('canary-wren-3: the user walks to work');
    await b.page.evaluate((id) => window.mneme!.memories.delete(id), first.id);
    await expect.poll(() => get(a.page, first.id)).toBeUndefined();

    // Both offline: concurrent edits of one memory (the later one wins), an edit against a delete
    // (the delete wins), and a memory added on each side.
    const shared = await add(a.page, 'canary-wren-4: the user likes tea');
    const doomed = await add(a.page, 'canary-wren-5: the user owns a red bicycle');
    await expect.poll(() => textOf(b.page, doomed.id)).toBe(doomed.text);
    await expect.poll(() => textOf(b.page, shared.id)).toBe(shared.text);
    await expect.poll(() => status(a.page).then((s) => s.pending)).toBe(0);
    net.proxy.cut();
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await a.page.evaluate((id) => window.mneme!.memories.update(id, { text: 'canary-wren-6: green tea' }), shared.id);
    await a.page.evaluate((id) => window.mneme!.memories.update(id, { text: 'canary-wren-7: a blue bicycle' }), doomed.id);
    await b.page.evaluate((id) => window.mneme!.memories.update(id, { text: 'canary-wren-8: black tea' }), shared.id);
    await b.page.evaluate((id) => window.mneme!.memories.delete(id), doomed.id);
    const onA = await add(a.page, 'canary-wren-9: written offline on the laptop');
    const onB = await add(b.page, 'canary-wren-10: written offline on the phone');
    // Both know they are offline (their worker's requests fail), and nothing crossed.
    await expect.poll(() => status(a.page).then((s) => s.state)).toBe('offline');
    await expect.poll(() => status(b.page).then((s) => s.state)).toBe('offline');
    expect((await status(a.page)).pending).toBeGreaterThan(0);
    expect(await get(a.page, onB.id)).toBeUndefined();
    expect(await textOf(b.page, shared.id)).toBe('canary-wren-8: black tea');

    net.proxy.restore();
    await a.context.setOffline(false);
    await b.context.setOffline(false);
    await expect.poll(() => textOf(a.page, onB.id)).toBe(onB.text);
    await expect.poll(() => textOf(b.page, onA.id)).toBe(onA.text);
    await expect.poll(() => textOf(a.page, shared.id)).toBe('canary-wren-8: black tea');
    await expect.poll(() => get(a.page, doomed.id)).toBeUndefined();
    await expect.poll(() => get(b.page, doomed.id)).toBeUndefined();
    await expect.poll(async () => (await state(a.page)) === (await state(b.page))).toBe(true);
    const [statusA, statusB] = [await status(a.page), await status(b.page)];
    expect(statusA.mergesApplied).toBeGreaterThan(0);
    expect(statusB.device).not.toBe(statusA.device);
    expect(await a.page.evaluate(() => window.syncEvents.length)).toBeGreaterThan(0);

    // The server: every database, every document and change, ids included, holds no word of it.
    const dump = await serverDump(net.server.url);
    expect(dump).toContain('"box"');
    expect(dump.toLowerCase()).not.toContain('canary');
    for (const id of [first.id, second.id, shared.id, doomed.id, onA.id, onB.id]) expect(dump).not.toContain(id);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);

    const sorted = [...seen].sort((x, y) => x - y);
    console.log(`SYNC one change A→B on loopback (ms): ${sorted.join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]}`);
  });
});
