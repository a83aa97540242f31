/**
 * concurrency: two clients (two memory workers, as two tabs have) on one profile run thousands of
 * mixed adds, updates, deletes and searches. They go in rounds: in each, both clients run one op at
 * the same time, each on its own memories. Each op is a trial that checks what it changed as the
 * other tab sees it: the other tab hears of the change, reads the new text from storage (or finds a
 * deleted memory gone), and its indexes agree (its lexical and vector indexes find the memory by
 * its current text, never by a text it no longer has); new ids are unique; both clients count
 * exactly the memories acknowledged. At the end both clients and storage must agree exactly with
 * what was acknowledged and `maintenance.verify()` must find each client's indexes equal to storage.
 * Each client draws its ops from a generator of its own, so a seed replays the same rounds.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { Random, Tally, trials } from '../harness';

const TOY = 'fixtures/toy-bow-embedder-384';
const WORDS = 'coffee violin tyres hiking ramen dentist garden lisbon berlin novel piano cat bicycle tea rain'.split(' ');
/** How long the other tab may take to hear of a change before the trial fails. */
const HEAR_WITHIN_MS = 30_000;

interface Expected {
  /** Memory id → its acknowledged text, for memories not deleted. Each client owns its own ids. */
  live: Map<string, string>;
  deleted: Set<string>;
  /** Every id ever returned, to check that new ids are unique. */
  issued: Set<string>;
}

/** One client of the two: its generator, its memories, the changes it heard of from the other tab. */
class Tab {
  readonly mine: string[] = [];
  readonly heard: string[][] = [];
  #serial = 0;
  #wake: (() => void) | undefined;

  constructor(
    readonly name: string,
    readonly client: MemoryClient,
    readonly random: Random,
  ) {
    client.subscribe((event) => {
      if (event.type !== 'memories-changed' || event.source !== 'other-tab') return;
      this.heard.push(event.ids);
      this.#wake?.();
    });
  }

  /** A text with a token no other text has, so a search for it has exactly one right answer. */
  text(): string {
    const r = this.random;
    return `${r.pick(WORDS)} ${r.pick(WORDS)} tok${this.name}${this.#serial++}z ${r.pick(WORDS)}`;
  }

  /** Resolves true once every id has been announced by the other tab since `from`; false after the deadline. */
  async hears(ids: string[], from: number): Promise<boolean> {
    const deadline = performance.now() + HEAR_WITHIN_MS;
    const covered = () => {
      const seen = new Set(this.heard.slice(from).flat());
      return ids.every((id) => seen.has(id));
    };
    while (!covered()) {
      if (performance.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return true;
  }
}

const tokenOf = (value: string) => value.split(' ').find((word) => word.startsWith('tok'))!;

type Op =
  | { kind: 'add'; texts: string[]; batch: boolean }
  | { kind: 'update'; id: string; text: string; before: string }
  | { kind: 'delete'; id: string; text: string }
  | { kind: 'search'; id: string };

/** The next op of `tab`, from its own generator and its own memories. */
function plan(tab: Tab, expected: Expected): Op {
  const random = tab.random;
  const roll = random.next();
  const kind = tab.mine.length < 5 || roll < 0.35 ? 'add' : roll < 0.55 ? 'update' : roll < 0.7 ? 'delete' : 'search';
  if (kind === 'add') {
    const batch = random.chance(0.1);
    return { kind, batch, texts: Array.from({ length: batch ? random.int(2, 8) : 1 }, () => tab.text()) };
  }
  const id = random.pick(tab.mine);
  const current = expected.live.get(id)!;
  if (kind === 'update') return { kind, id, text: tab.text(), before: current };
  if (kind === 'delete') return { kind, id, text: current };
  return { kind, id };
}

/** Runs the op on `tab`, records what was acknowledged; returns the ids it changed. */
async function perform(tab: Tab, op: Op, expected: Expected): Promise<string[]> {
  const { client } = tab;
  if (op.kind === 'add') {
    const items = op.batch
      ? await client.memories.addMany(op.texts.map((text) => ({ text })))
      : [await client.memories.add(op.texts[0]!)];
    const problems: string[] = [];
    if (items.length !== op.texts.length) problems.push(`${items.length} items for ${op.texts.length} texts`);
    items.forEach((item, i) => {
      if (expected.issued.has(item.id)) problems.push(`id ${item.id} was given before`);
      expected.issued.add(item.id);
      expected.live.set(item.id, op.texts[i]!);
      tab.mine.push(item.id);
    });
    if (problems.length > 0) throw new Error(problems.join('; '));
    return items.map((item) => item.id);
  }
  if (op.kind === 'update') {
    const item = await client.memories.update(op.id, { text: op.text });
    expected.live.set(op.id, op.text);
    if (item.text !== op.text) throw new Error('update returned the old text');
    return [op.id];
  }
  if (op.kind === 'delete') {
    tab.mine.splice(tab.mine.indexOf(op.id), 1);
    await client.memories.delete(op.id);
    expected.live.delete(op.id);
    expected.deleted.add(op.id);
    return [op.id];
  }
  return [];
}

/** What `reader` shows of memory `id`: the stored text, and whether both indexes find it by its text. */
async function seenBy(reader: MemoryClient, id: string, text: string): Promise<string[]> {
  const problems: string[] = [];
  const stored = await reader.memories.get(id);
  if (stored?.text !== text) problems.push(`get(${id}) gave ${JSON.stringify(stored?.text)}`);
  const hit = (await reader.memories.search(text, { limit: 3 })).find((result) => result.item.id === id);
  if (!hit) problems.push(`a search for its text missed ${id}`);
  else {
    if (hit.item.text !== text) problems.push(`search shows stale text for ${id}`);
    if (!hit.explanation.via.includes('lexical')) problems.push(`the lexical index lacks ${id}`);
    // The exact text's own vector: any older vector of this memory scores lower.
    if (!((hit.explanation.similarity ?? 0) > 0.99))
      problems.push(`the vector index holds no current vector for ${id} (${hit.explanation.similarity})`);
  }
  return problems;
}

/** A search for the unique token of a text `id` no longer has (or of a deleted memory) does not find it. */
async function forgottenBy(reader: MemoryClient, id: string, text: string, deleted: boolean): Promise<string[]> {
  const hit = (await reader.memories.search(tokenOf(text), { limit: 10 })).find((result) => result.item.id === id);
  if (!hit) return [];
  if (deleted) return [`deleted ${id} is still found`];
  if (hit.item.text === text) return [`${id} still shows its old text`];
  if (hit.explanation.via.includes('lexical')) return [`the lexical index still finds ${id} by its old text`];
  return [];
}

/** The checks of one trial, as `tab` and `other` see the op after both ops of the round are done. */
async function check(tab: Tab, other: Tab, op: Op, ids: string[], heard: boolean, expected: Expected): Promise<string[]> {
  const problems: string[] = [];
  if (!heard) problems.push(`the other tab never heard of ${ids.join(', ')}`);
  if (op.kind === 'add') {
    if (new Set(ids).size !== ids.length) problems.push('a batch gave one id twice');
    for (const [i, id] of ids.entries()) problems.push(...(await seenBy(other.client, id, op.texts[i]!)));
  } else if (op.kind === 'update') {
    for (const reader of [other.client, tab.client]) {
      problems.push(...(await seenBy(reader, op.id, op.text)), ...(await forgottenBy(reader, op.id, op.before, false)));
    }
  } else if (op.kind === 'delete') {
    for (const reader of [other.client, tab.client]) {
      if (await reader.memories.get(op.id)) problems.push(`deleted ${op.id} can still be read`);
      problems.push(...(await forgottenBy(reader, op.id, op.text, true)));
    }
  } else {
    // Read your own writes, in both tabs: the memory's current text finds it in both.
    const text = expected.live.get(op.id)!;
    for (const reader of [tab.client, other.client]) problems.push(...(await seenBy(reader, op.id, text)));
  }
  for (const reader of [tab, other]) {
    const count = await reader.client.memories.count();
    if (count !== expected.live.size) problems.push(`tab ${reader.name} counts ${count}, ${expected.live.size} acknowledged`);
  }
  return problems;
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
  'concurrency: two clients on one profile lose nothing, duplicate nothing, and each sees the other at once',
  { timeout: 3_600_000 },
  async () => {
    const tally = new Tally('concurrency');
    const rounds = trials(5000, 200);
    const profileId = `concurrency${tally.seed}`;
    const clients = await Promise.all(
      [0, 1].map(() => createMemoryClient({ profileId, embedder: TOY, modelsBaseUrl: '/models/' })),
    );
    const a = new Tab('a', clients[0]!, new Random(tally.seed));
    const b = new Tab('b', clients[1]!, new Random(tally.seed ^ 0x5bd1e995));
    const expected: Expected = { live: new Map(), deleted: new Set(), issued: new Set() };
    try {
      for (let round = 0; round < rounds; round++) {
        const pair = [
          [a, b],
          [b, a],
        ] as const;
        const ops = pair.map(([tab]) => plan(tab, expected));
        // Both ops at once; each then waits until the other tab has heard of what it changed.
        const runs = pair.map(async ([tab, other], i) => {
          const from = other.heard.length;
          const ids = await perform(tab, ops[i]!, expected);
          return { ids, heard: ids.length === 0 || (await other.hears(ids, from)) };
        });
        const settled = Promise.allSettled(runs);
        await Promise.all(
          pair.map(([tab, other], i) =>
            tally.trial(`round ${round}: ${tab.name} ${ops[i]!.kind}`, async () => {
              const { ids, heard } = await runs[i]!;
              await settled; // the counts are checked once both ops are done
              return check(tab, other, ops[i]!, ids, heard, expected);
            }),
          ),
        );
      }
      for (const tab of [a, b]) {
        await tally.trial(`client ${tab.name} equals storage at the end`, () => agreeWithStorage(tab.client, expected));
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    console.log(`concurrency: ${expected.live.size} memories live, ${expected.deleted.size} deleted`);
    tally.report();
    expect(expected.live.size).toBeGreaterThan(0);
  },
);
