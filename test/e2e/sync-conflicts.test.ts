/**
 * Each conflict shape of issue 17, in three Chromium contexts (three devices of one profile) against
 * pouchdb-server on loopback: every device goes offline, two or three of them change the same
 * record, they come back, and then every device's state digest is the same and the state is what
 * the README's merge rules give (checked against the rule, not device against device):
 * edit/edit (the later edit), edit/delete (the forget, even when older), supersede/supersede (one
 * chain: the later model's), user/model on a profile field (the user's, even when older), turns in
 * one conversation (a union, ordered by time then id). Every wait is for a state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AuditEntry, MemoryItem, Turn } from '../../src/sdk/index';
import { add, converged, device, get, pair, settled, useSyncNetwork, whileOffline, type Device } from './sync-devices';

const net = useSyncNetwork();
let devices: Device[];
let a: Device, b: Device, c: Device;

beforeAll(async () => {
  devices = [await device(net.hostUrl, 'A'), await device(net.hostUrl, 'B'), await device(net.hostUrl, 'C')];
  [a, b, c] = devices as [Device, Device, Device];
  await pair(net.proxy.url, a, b, c);
});

afterAll(() => {
  for (const { label, errors } of devices ?? []) expect(errors, `${label} had no page errors`).toEqual([]);
});

/** `id` has reached every device (as `text`) and every device is caught up. */
async function everywhere(id: string, text: string): Promise<void> {
  for (const { page } of devices) await expect.poll(() => get(page, id).then((item) => item?.text)).toBe(text);
  await settled(devices);
}

const memory = (state: { memories: unknown[] }, id: string) => (state.memories as MemoryItem[]).find((item) => item.id === id);
const historyTexts = (page: Page, id: string) =>
  page.evaluate((i) => window.mneme!.memories.history(i), id).then((entries: AuditEntry[]) => JSON.stringify(entries));

describe('sync conflicts, offline on every device, three browsers', () => {
  it('edit/edit: the later edit wins everywhere and the losing edits stay in the history', async () => {
    const item = await add(a.page, 'the user drinks coffee in the morning');
    await everywhere(item.id, item.text);
    const texts = ['the user drinks green tea in the morning', 'the user drinks black tea', 'the user drinks water'];
    await whileOffline(net.proxy, devices, async () => {
      // One after another, so each edit's stamp is later than the one before (one clock for all three).
      for (const [i, { page }] of devices.entries()) {
        await page.evaluate(([id, text]) => window.mneme!.memories.update(id, { text }), [item.id, texts[i]!] as const);
      }
    });
    await converged(devices, (state) => expect(memory(state, item.id)?.text).toBe(texts[2]));
    for (const { page } of devices) {
      const history = await historyTexts(page, item.id);
      for (const text of texts) expect(history).toContain(text);
    }
  });

  it('edit/delete: the forget wins even though the edit came later, and its words leave every device', async () => {
    const item = await add(a.page, 'the user keeps a spare key under the doormat');
    await everywhere(item.id, item.text);
    await whileOffline(net.proxy, devices, async () => {
      await b.page.evaluate((id) => window.mneme!.memories.delete(id), item.id);
      await a.page.evaluate((id) => window.mneme!.memories.update(id, { text: 'the spare key is under the flowerpot' }), item.id);
    });
    await converged(devices, (state) => {
      expect(memory(state, item.id)).toBeUndefined();
      const all = JSON.stringify(state);
      expect(all).not.toContain('doormat');
      expect(all).not.toContain('flowerpot');
    });
  });

  it('user/model on a profile field: the user’s value wins even though the model’s came later', async () => {
    // The profile's schema loads with its first change: here, while online (an empty proposal changes nothing).
    for (const { page } of devices) await page.evaluate(() => window.mneme!.profile.propose([]));
    await settled(devices);
    await whileOffline(net.proxy, devices, async () => {
      await a.page.evaluate(() => window.mneme!.profile.update([{ op: 'set', field: 'preferredName', value: 'Sam' }]));
      await b.page.evaluate(() => window.mneme!.profile.propose([{ op: 'set', field: 'preferredName', value: 'Samuel' }]));
      await c.page.evaluate(() => window.mneme!.profile.propose([{ op: 'set', field: 'preferredName', value: 'Sammy' }]));
      // Each device alone shows its own value.
      expect(await b.page.evaluate(() => window.mneme!.profile.get().then((p) => p.profile.preferredName))).toBe('Samuel');
    });
    const state = await converged(devices, (s) => {
      const entry = (s.profile as { field: string; value: string; setBy: string }[]).find((e) => e.field === 'preferredName');
      expect(entry).toMatchObject({ value: 'Sam', setBy: 'user' });
    });
    expect((state.profile as unknown[]).length).toBe(1);
    for (const { page } of devices) {
      expect(await page.evaluate(() => window.mneme!.profile.get().then((p) => p.profile.preferredName))).toBe('Sam');
    }
  });

  it('turns in one conversation: a union of every device’s turns, ordered by time then id, none twice', async () => {
    const session = await a.page.evaluate(() => window.mneme!.sessions.create('Planning the trip'));
    const append = (page: Page, role: Turn['role'], content: string) =>
      page.evaluate(([id, r, t]) => window.mneme!.sessions.append(id, { role: r, content: t }), [
        session.id,
        role,
        content,
      ] as const);
    for (const { page } of devices) {
      await expect
        .poll(() => page.evaluate((id) => window.mneme!.sessions.get(id).then((found) => found?.title), session.id))
        .toBe(session.title);
    }
    // Online: a question and two replies (a reply's first append loads the assistant's code, which offline could not).
    const written: Turn[] = [
      await append(a.page, 'user', 'Where should we go?'),
      await append(b.page, 'assistant', 'Lisbon is lovely in spring.'),
      await append(c.page, 'assistant', 'Or the mountains.'),
    ];
    for (const { page } of devices) {
      await expect.poll(() => page.evaluate((id) => window.mneme!.sessions.turns(id).then((t) => t.length), session.id)).toBe(3);
    }
    await settled(devices);
    const plan: [Device, Turn['role'], string][] = [
      [a, 'user', 'What about the mountains?'],
      [b, 'assistant', 'The Alps have good trains.'],
      [c, 'user', 'I would rather see the sea.'],
      [a, 'user', 'Let us book the train.'],
      [c, 'assistant', 'The coast has trains too.'],
    ];
    await whileOffline(net.proxy, devices, async () => {
      for (const [{ page }, role, content] of plan) written.push(await append(page, role, content));
    });
    // The rule: every turn once, ordered in the conversation by time, then id.
    const expected = [...written]
      .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
      .map(({ id, role, content }) => ({ id, role, content }));
    await converged(devices, (state) => {
      const shown = (state.sessions as { id: string; turns: Turn[] }[]).find((s) => s.id === session.id);
      expect(shown?.turns.map(({ id, role, content }) => ({ id, role, content }))).toEqual(expected);
    });
    for (const { page } of devices) {
      const seqs = await page.evaluate(
        (id) => window.mneme!.sessions.turns(id).then((t) => t.map((turn) => turn.seq)),
        session.id,
      );
      expect(seqs).toEqual(expected.map((_, i) => i));
    }
  });

  it('supersede/supersede: two models superseding one fact end in one chain, the later one, on every device', async () => {
    const fact = await add(a.page, 'the user lives in Lisbon qlisbonmark');
    await everywhere(fact.id, fact.text);
    // The model's schemas load with its first answer: here, while online (a turn with no fact in it).
    for (const { page } of [a, b]) {
      await page.evaluate(() => window.planModel(undefined));
      await page.evaluate(() => window.mneme!.memories.remember([{ role: 'user', content: 'Hello.' }]));
    }
    const superseded: { by: string; text: string }[] = [];
    await whileOffline(net.proxy, devices, async () => {
      for (const [{ page }, city] of [
        [a, 'Porto'],
        [b, 'Madrid'],
      ] as const) {
        const text = `the user lives in ${city} now, not qlisbonmark`;
        await page.evaluate((plan) => window.planModel(plan), {
          fact: text,
          relation: 'contradiction',
          target: 'qlisbonmark',
        } as const);
        const report = await page.evaluate(
          (t) => window.mneme!.memories.remember([{ role: 'user', content: t }]),
          `I moved to ${city}.`,
        );
        const link = report.superseded.find((entry) => entry.id === fact.id);
        expect(link, `the model on ${city}'s device superseded the fact`).toBeDefined();
        superseded.push({ by: link!.by, text });
      }
    });
    const [porto, madrid] = superseded as [{ by: string; text: string }, { by: string; text: string }];
    await converged(devices, (state) => {
      const old = memory(state, fact.id);
      // Both versions are the model's and concurrent: the later stamp (Madrid, made second) wins.
      expect(old?.validTo).toBeTypeOf('number');
      expect(old?.metadata['supersededBy']).toBe(madrid.by);
      expect(old?.text).toBe(fact.text);
      // Nothing lost: both new facts are there, current.
      expect(memory(state, madrid.by)).toMatchObject({ text: madrid.text });
      expect(memory(state, porto.by)).toMatchObject({ text: porto.text });
      expect(memory(state, madrid.by)?.validTo).toBeUndefined();
    });
  });
});
