/**
 * concurrency: two clients (two memory workers, as two tabs have) on one profile run thousands of
 * mixed adds, updates, deletes and searches at the same time. Each op is a trial: it must succeed,
 * and a client must read its own acknowledged writes. At the end both clients and storage must
 * agree exactly with what was acknowledged (none lost, none duplicated, no stale text) and
 * `maintenance.verify()` must find each client's indexes equal to storage.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { Tally, trials, type Random } from '../harness';

const TOY = 'fixtures/toy-bow-embedder-384';
const WORDS = 'coffee violin tyres hiking ramen dentist garden lisbon berlin novel piano cat bicycle tea rain'.split(' ');

interface Expected {
  /** Memory id → its acknowledged text, for memories not deleted. Each client owns its own ids. */
  live: Map<string, string>;
  deleted: Set<string>;
}

let serial = 0;
/** A text with a token no other text has, so a search for it has exactly one right answer. */
function text(random: Random, who: string): string {
  const token = `tok${who}${serial++}z`;
  return `${random.pick(WORDS)} ${random.pick(WORDS)} ${token} ${random.pick(WORDS)}`;
}
const tokenOf = (value: string) => value.split(' ').find((word) => word.startsWith('tok'))!;

async function work(client: MemoryClient, who: string, ops: number, tally: Tally, expected: Expected): Promise<void> {
  // Each tab draws from its own generator: the two interleave by timing, their texts never do.
  const random = tally.randomFor(who);
  const mine: string[] = [];
  for (let n = 0; n < ops; n++) {
    const roll = random.next();
    const kind = mine.length < 5 || roll < 0.35 ? 'add' : roll < 0.55 ? 'update' : roll < 0.7 ? 'delete' : 'search';
    await tally.trial(`${who} ${kind}`, async () => {
      if (kind === 'add') {
        if (random.chance(0.1)) {
          const texts = Array.from({ length: random.int(2, 8) }, () => text(random, who));
          const items = await client.memories.addMany(texts.map((value) => ({ text: value })));
          items.forEach((item, i) => {
            expected.live.set(item.id, texts[i]!);
            mine.push(item.id);
          });
          return items.length === texts.length ? [] : ['addMany returned the wrong number of items'];
        }
        const value = text(random, who);
        const item = await client.memories.add(value);
        expected.live.set(item.id, value);
        mine.push(item.id);
        return [];
      }
      if (kind === 'update') {
        const id = random.pick(mine);
        const value = text(random, who);
        const item = await client.memories.update(id, { text: value });
        expected.live.set(id, value);
        return item.text === value ? [] : ['update returned the old text'];
      }
      if (kind === 'delete') {
        const id = mine.splice(random.int(0, mine.length - 1), 1)[0]!;
        await client.memories.delete(id);
        expected.live.delete(id);
        expected.deleted.add(id);
        return (await client.memories.get(id)) ? ['a deleted memory is still there'] : [];
      }
      // Read your own writes: the memory's unique token finds it, with its latest text.
      const id = random.pick(mine);
      const results = await client.memories.search(tokenOf(expected.live.get(id)!), { limit: 3 });
      const hit = results.find((result) => result.item.id === id);
      return hit?.item.text === expected.live.get(id) ? [] : [`search for its own memory ${id} missed or was stale`];
    });
  }
}

async function agreeWithStorage(client: MemoryClient, expected: Expected): Promise<string[]> {
  const problems: string[] = [];
  const all = await client.memories.list({ limit: 1_000_000, order: 'oldest' });
  const ids = all.map((item) => item.id);
  if (new Set(ids).size !== ids.length) problems.push('a memory is listed twice');
  const texts = all.map((item) => item.text);
  if (new Set(texts).size !== texts.length) problems.push('a text is stored twice');
  if (all.length !== expected.live.size) problems.push(`${all.length} memories stored, ${expected.live.size} expected`);
  for (const item of all) {
    if (expected.deleted.has(item.id)) problems.push(`deleted ${item.id} came back`);
    else if (expected.live.get(item.id) !== item.text) problems.push(`${item.id} holds stale or unknown text`);
  }
  if ((await client.memories.count()) !== expected.live.size) problems.push('the count disagrees with storage');
  const report = await client.maintenance.verify({ repair: false });
  if (!report.ok) problems.push(`verify: ${report.problems.map((p) => `${p.check} ×${p.count}`).join(', ')}`);
  return problems;
}

it(
  'concurrency: two clients on one profile lose nothing, duplicate nothing, end equal to storage',
  { timeout: 3_600_000 },
  async () => {
    const tally = new Tally('concurrency');
    const ops = trials(5000, 200);
    const profileId = `concurrency${tally.seed}`;
    const [a, b] = await Promise.all(
      [0, 1].map(() => createMemoryClient({ profileId, embedder: TOY, modelsBaseUrl: '/models/' })),
    );
    const expected: Expected = { live: new Map(), deleted: new Set() };
    try {
      await Promise.all([work(a!, 'a', ops, tally, expected), work(b!, 'b', ops, tally, expected)]);
      // The other tab's last changes arrive by broadcast; each client then agrees with storage.
      for (const [name, client] of [
        ['a', a!],
        ['b', b!],
      ] as const) {
        let problems: string[] = [];
        for (let attempt = 0; attempt < 50; attempt++) {
          problems = await agreeWithStorage(client, expected);
          if (problems.length === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await tally.trial(`client ${name} equals storage at the end`, () => problems);
      }
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
    console.log(`concurrency: ${expected.live.size} memories live, ${expected.deleted.size} deleted`);
    tally.report();
    expect(expected.live.size).toBeGreaterThan(0);
  },
);
