/**
 * Sync recovering from what goes wrong, in Chromium contexts (devices) against pouchdb-server on
 * loopback (its databases on disk, so it can restart on its port), reached through a proxy the test
 * can cut: a third device joins with the recovery phrase after 1,000 memories and gets all of them;
 * the server restarts in the middle of an upload, and an upload is cut in the middle of a request
 * body: sync resumes and nothing is duplicated; garbage and tampered envelopes written on the server
 * are refused with SYNC_ENVELOPE_INVALID in the status, and nothing of them is written. Every wait
 * is for a state. Each trial starts from a known state whatever the one before did: the network
 * passes everything and the server answers (useSyncNetwork), and no device of an earlier trial is
 * left syncing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seal } from '../../src/sync/envelope';
import { deriveSyncKeys, generateSyncKey } from '../../src/sync/keys';
import {
  converged,
  count,
  device as deviceOn,
  get,
  keysOf,
  memoryVersions,
  pair,
  serverDocs,
  settled,
  status,
  useSyncNetwork,
  type Device,
  type ServerDoc,
} from './sync-devices';

/** The server keeps its databases on disk, so it can restart on its port. */
const net = useSyncNetwork({ onDisk: true });

/** The devices the running trial opened: a trial that fails before `done` leaves them syncing otherwise. */
const opened: Device[] = [];
const device = async (hostUrl: string, label: string): Promise<Device> => {
  const opening = await deviceOn(hostUrl, label);
  opened.push(opening);
  return opening;
};
afterEach(async () => {
  for (const { context } of opened.splice(0)) await context.close();
});

/** Closes devices a test is done with (the proxy's cuts would reach them too), checking they had no page errors. */
async function done(...devices: Device[]): Promise<void> {
  for (const { label, errors, context } of devices) {
    expect(errors, `${label} had no page errors`).toEqual([]);
    await context.close();
  }
}

const addMany = (page: Page, texts: string[]) =>
  page.evaluate(
    (t) => window.mneme!.memories.addMany(t.map((text) => ({ text }))).then((items) => items.map((i) => i.id)),
    texts,
  );
/** Every memory of the device as `id=text`, sorted. */
const entries = (page: Page) =>
  page.evaluate(() =>
    window.mneme!.memories.list({ limit: 100_000 }).then((items) => items.map((item) => `${item.id}=${item.text}`).sort()),
  );
const envelopeErrors = (page: Page) =>
  status(page).then((s) => s.errors.filter((error) => error.code === 'SYNC_ENVELOPE_INVALID').length);

/** The profile's memory versions on the server: one per memory, each written once, no conflicting revisions. */
async function noDuplicates(code: string, memories: number): Promise<void> {
  const keys = await keysOf(code);
  const versions = await memoryVersions(net.server.url, keys);
  expect(versions.length).toBe(memories);
  expect(new Set(versions.map((version) => version.id)).size).toBe(memories);
  expect(versions.filter(({ doc }) => !doc._rev?.startsWith('1-'))).toEqual([]);
  expect((await serverDocs(net.server.url, keys)).filter((doc) => (doc._conflicts ?? []).length > 0)).toEqual([]);
}

describe('sync recovery in the browser', () => {
  it('a third device joins with the recovery phrase after 1,000 memories and gets all of them', async () => {
    const [a, b] = [await device(net.hostUrl, 'A'), await device(net.hostUrl, 'B')];
    await pair(net.proxy.url, a, b);
    const texts = Array.from({ length: 1000 }, (_, i) => `memory ${i}: the user once visited place qplace${i}x`);
    const ids = await addMany(a.page, texts);
    await expect.poll(() => count(b.page)).toBe(1000);
    await settled([a, b]);
    const phrase = await a.page.evaluate(() => window.mneme!.sync.recoveryPhrase());
    expect(phrase.split(' ')).toHaveLength(24);
    const c = await device(net.hostUrl, 'C');
    await c.page.evaluate(([p, url]) => window.mneme!.sync.join(p, { url }), [phrase, net.proxy.url] as const);
    await expect.poll(() => count(c.page)).toBe(1000);
    for (const i of [0, 417, 999]) expect((await get(c.page, ids[i]!))?.text).toBe(texts[i]);
    const hits = await c.page.evaluate(() => window.mneme!.memories.search('qplace733x').then((r) => r.map((h) => h.item.id)));
    expect(hits[0]).toBe(ids[733]);
    // It showed how far its download was, and shows nothing once the download is over.
    const downloads = await c.page.evaluate(() =>
      window.syncEvents.flatMap((s) => s.progress?.filter((transfer) => transfer.phase === 'download') ?? []),
    );
    expect(downloads.length).toBeGreaterThan(0);
    expect(Math.max(...downloads.map((transfer) => transfer.total))).toBeGreaterThanOrEqual(1000);
    await expect.poll(() => status(c.page).then((s) => s.progress)).toBeUndefined();
    await converged([a, b, c]);
    await done(a, b, c);
  });

  it('the server restarts in the middle of an upload: sync resumes on both devices, nothing twice', async () => {
    const [a, b] = [await device(net.hostUrl, 'A'), await device(net.hostUrl, 'B')];
    const code = await pair(net.proxy.url, a, b);
    await settled([a, b]);
    const keys = await keysOf(code);
    // A first part of the upload lands; the rest is cut inside a request body and the server stops right then.
    // (Written in two steps so that a part has landed whatever batches replication makes: in one step its first
    // request could already hold more than the cut lets through, and nothing would land.)
    const note = (i: number) => `restart note ${i}: the user likes qrestart${i}x`;
    const first = await addMany(
      a.page,
      Array.from({ length: 100 }, (_, i) => note(i)),
    );
    await expect.poll(async () => (await memoryVersions(net.server.url, keys)).length).toBe(100);
    net.proxy.cutAfter(120_000);
    const ids = [
      ...first,
      ...(await addMany(
        a.page,
        Array.from({ length: 200 }, (_, i) => note(100 + i)),
      )),
    ];
    await expect.poll(() => status(a.page).then((s) => s.state)).toBe('offline');
    const landed = (await memoryVersions(net.server.url, keys)).length;
    expect(landed, 'part of the upload reached the server before it stopped').toBeGreaterThanOrEqual(100);
    expect(landed).toBeLessThan(300);
    await net.restartServer();
    net.proxy.restore();
    await expect.poll(() => count(b.page)).toBe(300);
    await settled([a, b]);
    expect(new Set((await entries(b.page)).map((entry) => entry.split('=')[0])).size).toBe(300);
    expect((await entries(b.page)).map((entry) => entry.split('=')[0]).sort()).toEqual([...ids].sort());
    await noDuplicates(code, 300);
    await converged([a, b]);
    await done(a, b);
  });

  it('an upload cut in the middle of a request body resumes, and the server holds each memory once', async () => {
    const a = await device(net.hostUrl, 'A');
    await addMany(
      a.page,
      Array.from({ length: 150 }, (_, i) => `cut note ${i}: the user reads qcut${i}x`),
    );
    net.proxy.cutAfter(30_000);
    await a.page.evaluate((url) => window.mneme!.sync.enable({ url }), net.proxy.url);
    await expect.poll(() => status(a.page).then((s) => s.state)).toBe('offline');
    net.proxy.restore();
    const b = await device(net.hostUrl, 'B');
    const code = await a.page.evaluate(() => window.mneme!.sync.pairingCode());
    await b.page.evaluate((c) => window.mneme!.sync.join(c), code);
    await expect.poll(() => count(b.page)).toBe(150);
    await settled([a, b]);
    expect(await entries(b.page)).toEqual(await entries(a.page));
    await noDuplicates(code, 150);
    await converged([a, b]);
    await done(a, b);
  });

  it('garbage and tampered envelopes on the server: SYNC_ENVELOPE_INVALID in the status, nothing of them written', async () => {
    const a = await device(net.hostUrl, 'A');
    const texts = Array.from({ length: 8 }, (_, i) => `kept note ${i}: the user grows qkept${i}x`);
    await addMany(a.page, texts);
    const code = await (async () => {
      await a.page.evaluate((url) => window.mneme!.sync.enable({ url }), net.proxy.url);
      return a.page.evaluate(() => window.mneme!.sync.pairingCode());
    })();
    await settled([a]);
    const before = await entries(a.page);
    const keys = await keysOf(code);
    const reals = (await memoryVersions(net.server.url, keys)).map(({ doc }) => doc);
    expect(reals).toHaveLength(8);
    const box = (doc: ServerDoc) => doc.box!;
    const flip = (text: string, at: number) => `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    const [r0, r1, r2, r3] = reals as [ServerDoc, ServerDoc, ServerDoc, ServerDoc];
    const written: object[] = [
      { ...r0, box: flip(box(r0), Math.floor(box(r0).length / 2)) }, // one byte changed
      { ...r1, box: box(r2) }, // another document's body (its id is the associated data)
      { ...r2, v: 2 }, // an envelope version this client does not know
      { ...r3, box: box(r3).slice(0, 20) }, // truncated
      { _id: 'dplantedgarbage', v: 1, box: 'this is not base64url!' },
      await seal(await deriveSyncKeys(generateSyncKey()), 'dplantedforeign', { type: 'memory', id: 'x' }), // another key
      { ...(await seal(keys, 'dplantedodd', { hello: 'world' })), _id: 'dplantedodd' }, // opens, but is no record
    ];
    for (const doc of written) {
      const id = (doc as ServerDoc)._id;
      const response = await fetch(new URL(`${keys.database}/${encodeURIComponent(id)}`, net.server.url), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
      expect(response.ok, `the server took ${id}`).toBe(true);
    }
    const b = await device(net.hostUrl, 'B');
    await b.page.evaluate((c) => window.mneme!.sync.join(c), code);
    // B gets the four intact memories and a typed error for each bad document; A refuses them too.
    await expect.poll(() => envelopeErrors(b.page)).toBeGreaterThanOrEqual(written.length);
    await expect.poll(() => count(b.page)).toBe(4);
    await expect.poll(() => envelopeErrors(a.page)).toBeGreaterThanOrEqual(written.length);
    const onB = await entries(b.page);
    expect(onB.every((entry) => before.includes(entry))).toBe(true);
    expect(await entries(a.page)).toEqual(before);
    const events = await b.page.evaluate(() => window.syncEvents.flatMap((s) => s.errors.map((e) => e.code)));
    expect(events).toContain('SYNC_ENVELOPE_INVALID');
    await done(a, b);
  });
});
