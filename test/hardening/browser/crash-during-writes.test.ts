/**
 * crash-during-writes: the memory worker is terminated (no goodbye, as when a tab is killed) while a
 * conversation is being written: turns appended, facts added one by one and in batches, some
 * edited. Each trial draws how many writes must be acknowledged first (at least one), then kills
 * the worker as soon as it is seen holding the profile's write lock for a further write (the lock
 * spans that write's transaction). A new client then opens the same profile. Every write the old client
 * acknowledged must be there, intact, in order; whatever was in flight is either whole or absent;
 * and `maintenance.verify()` finds no half-written memory / vector / index triple.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { isFull, Random, Tally, trials } from '../harness';

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
  /** Writes acknowledged by the conversation (a batch is one). */
  writes: number;
  /** Called after each acknowledged write. */
  onWrite?: () => void;
}

/** Writes a conversation, one write at a time, until the worker dies; records what was acknowledged. */
async function converse(client: MemoryClient, random: Random, acked: Acked): Promise<void> {
  const session = await client.sessions.create('Crash test');
  for (let n = 0; ; n++) {
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
    } else {
      const id = random.pick([...acked.memories.keys()]);
      const text = `edited ${sentence(random, n)}`;
      const before = acked.memories.get(id)!;
      acked.memories.set(id, [...before, text]); // in flight: either text is fine
      await client.memories.update(id, { text });
      acked.memories.set(id, [text]);
    }
    acked.writes++;
    acked.onWrite?.();
  }
}

/**
 * Resolves once `acked` holds at least `writes` acknowledged writes and the worker holds the
 * profile's write lock for a further one (it is inside that write).
 */
async function midWrite(profileId: string, acked: Acked, writes: number, writing: Promise<unknown>): Promise<void> {
  const stopped = writing.then((error) => {
    throw new Error(`the conversation stopped after ${acked.writes} writes: ${String(error)}`);
  });
  stopped.catch(() => undefined); // raced below; an error after the kill has no one left to tell
  await Promise.race([stopped, new Promise<void>((resolve) => (acked.onWrite = () => acked.writes >= writes && resolve()))]);
  const lock = `mneme:mneme-${profileId}:write`;
  for (;;) {
    const { held = [] } = await Promise.race([stopped, navigator.locks.query()]);
    if (held.some((entry) => entry.name === lock)) return;
  }
}

it(
  'crash-during-writes: every acknowledged write survives a worker killed mid-write, whole',
  { timeout: 1_800_000 },
  async () => {
    const tally = new Tally('crash-during-writes');
    const size = trials(50, 4);
    let turns = 0;
    let memories = 0;
    for (let t = 0; t < size; t++) {
      const profileId = `crash${tally.seed}x${t}`;
      // Drawn before the trial runs, so a slow or fast trial leaves the next one the same.
      const writes = tally.random.int(1, isFull() ? 60 : 20);
      const random = new Random(tally.random.int(0, 2 ** 31));
      await tally.trial(`${profileId} killed after ${writes} writes`, async () => {
        const client = await open(profileId);
        const worker = started.at(-1)!;
        const acked: Acked = { turns: [], memories: new Map(), writes: 0 };
        // The model loaded first, so the kill lands among writes rather than during the download.
        const warm = await client.memories.add('warm-up note');
        acked.memories.set(warm.id, [warm.text]);
        const writing = converse(client, random, acked).catch((error: unknown) => error);
        await midWrite(profileId, acked, writes, writing);
        worker.terminate();
        const problems: string[] = [];
        if (acked.writes < 1) problems.push('the kill came before any acknowledged write');

        turns += acked.turns.length;
        memories += acked.memories.size;
        const again = await open(profileId);
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
          if (!report.ok)
            problems.push(`verify: ${report.problems.map((p) => `${p.check} ×${p.count} in ${p.where}`).join(', ')}`);
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
    expect(started.length).toBeGreaterThanOrEqual(size * 2);
  },
);
