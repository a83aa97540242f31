/**
 * crash-during-writes: the memory worker is terminated (no goodbye, as when a tab is killed) at a
 * random moment while a conversation is being written: turns appended, facts added one by one and
 * in batches, some edited. A new client then opens the same profile. Every write the old client
 * acknowledged must be there, intact, in order; whatever was in flight is either whole or absent;
 * and `maintenance.verify()` finds no half-written memory / vector / index triple.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { Tally, trials, type Random } from '../harness';

const TOY = 'fixtures/toy-bow-embedder-384';
const WORDS = 'coffee violin tyres hiking ramen dentist garden lisbon berlin novel piano cat bicycle tea rain'.split(' ');

/** Every memory worker started by this page, so a trial can kill the current one. */
const started: Worker[] = [];
const NativeWorker = globalThis.Worker;
globalThis.Worker = class extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    if (options?.name === 'mneme-memory') started.push(this);
  }
};

const open = (profileId: string) => createMemoryClient({ profileId, embedder: TOY, modelsBaseUrl: '/models/' });

function sentence(random: Random, n: number): string {
  return Array.from({ length: 4 + (n % 5) }, () => random.pick(WORDS)).join(' ') + ` number ${n}`;
}

interface Acked {
  turns: { id: string; content: string }[];
  /** Memory id → the texts it may hold: the acknowledged one, or one written while it was killed. */
  memories: Map<string, string[]>;
}

/** Writes a conversation until `stop` is set; records what was acknowledged. */
async function converse(client: MemoryClient, random: Random, acked: Acked, stop: { now: boolean }): Promise<void> {
  const session = await client.sessions.create('Crash test');
  for (let n = 0; !stop.now; n++) {
    const choice = random.next();
    if (choice < 0.45) {
      const content = sentence(random, n);
      const turn = await client.sessions.append(session.id, { role: n % 2 ? 'assistant' : 'user', content });
      acked.turns.push({ id: turn.id, content });
    } else if (choice < 0.7) {
      const text = sentence(random, n);
      const item = await client.memories.add(text, { kind: 'fact' });
      acked.memories.set(item.id, [text]);
    } else if (choice < 0.85) {
      const texts = Array.from({ length: random.int(2, 30) }, (_, i) => sentence(random, n * 100 + i));
      const items = await client.memories.addMany(texts.map((text) => ({ text })));
      items.forEach((item, i) => acked.memories.set(item.id, [texts[i]!]));
    } else if (acked.memories.size > 0) {
      const id = random.pick([...acked.memories.keys()]);
      const text = `edited ${sentence(random, n)}`;
      const before = acked.memories.get(id)!;
      acked.memories.set(id, [...before, text]); // in flight: either text is fine
      await client.memories.update(id, { text });
      acked.memories.set(id, [text]);
    }
  }
}

it('crash-during-writes: every acknowledged write survives a killed worker, whole', { timeout: 1_800_000 }, async () => {
  const tally = new Tally('crash-during-writes');
  const size = trials(50, 4);
  let turns = 0;
  let memories = 0;
  for (let t = 0; t < size; t++) {
    const profileId = `crash${tally.seed}x${t}`;
    await tally.trial(profileId, async () => {
      const client = await open(profileId);
      const worker = started.at(-1)!;
      const acked: Acked = { turns: [], memories: new Map() };
      // The model loaded first, so the kill lands among writes rather than during the download.
      const warm = await client.memories.add('warm-up note');
      acked.memories.set(warm.id, [warm.text]);
      const stop = { now: false };
      // The writes draw from the trial's own generator: however many the crash lets through, the
      // next trial's writes and crash moment are the same for the same seed.
      const writing = converse(client, tally.randomFor(`writes ${t}`), acked, stop).catch(() => undefined);
      // Somewhere in the first 1.5 s of writing: single writes, batches, edits, checkpoints.
      await new Promise((resolve) => setTimeout(resolve, tally.random.int(0, 1500)));
      worker.terminate();
      stop.now = true;
      await Promise.race([writing, new Promise((resolve) => setTimeout(resolve, 200))]);

      turns += acked.turns.length;
      memories += acked.memories.size;
      const again = await open(profileId);
      const problems: string[] = [];
      try {
        const [session] = await again.sessions.list();
        const turns = session ? await again.sessions.turns(session.id) : [];
        const stored = new Map(turns.map((turn) => [turn.id, turn.content]));
        const lost = acked.turns.filter((turn) => stored.get(turn.id) !== turn.content);
        if (lost.length > 0) problems.push(`${lost.length} of ${acked.turns.length} acknowledged turns lost or changed`);
        const order = turns.map((turn) => turn.id).filter((id) => acked.turns.some((turn) => turn.id === id));
        if (order.join() !== acked.turns.map((turn) => turn.id).join()) problems.push('acknowledged turns out of order');
        for (const [id, texts] of acked.memories) {
          const item = await again.memories.get(id);
          if (!item || !texts.includes(item.text)) problems.push(`memory ${id} ${item ? 'changed' : 'lost'}`);
        }
        const report = await again.maintenance.verify({ repair: false });
        if (!report.ok) problems.push(`verify: ${report.problems.map((p) => `${p.check} ×${p.count} in ${p.where}`).join(', ')}`);
        // The reopened profile takes writes and finds them.
        const probe = await again.memories.add('probe after the crash zebra');
        const [hit] = await again.memories.search('zebra');
        if (hit?.item.id !== probe.id) problems.push('search after restart missed a new memory');
      } finally {
        await again.close();
      }
      return problems;
    });
  }
  console.log(`crash-during-writes: ${turns} turns and ${memories} memories acknowledged before the kills`);
  tally.report();
  expect(turns + memories, 'the kills came before anything was written').toBeGreaterThan(0);
  expect(started.length).toBeGreaterThanOrEqual(size * 2);
});
