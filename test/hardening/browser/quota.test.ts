/**
 * quota: a profile is written until storage refuses. Each trial must end in
 * `MemoryError('QUOTA_EXCEEDED')` with nothing of the refused write stored, every earlier write
 * intact, `maintenance.verify()` clean, and the profile must still open and read while the disk
 * stays full (and take writes again once there is room). Two ways to fill the disk:
 * - `cdp`: Chromium's own quota for this origin, lowered through CDP (Storage.overrideQuotaForOrigin),
 *   with the memory worker. The quota is lowered before the profile opens: Chromium's IndexedDB
 *   grants a bucket's writes from the room it last heard of from the quota manager for up to 30 s
 *   (BucketContext::kBucketSpaceCacheTimeLimit), so a quota lowered after a bucket's first write
 *   goes unseen that long, and writes meanwhile land far past it (in the default bucket too). A new
 *   profile gets a Storage Bucket of its own, whose first write then asks under the lowered quota.
 *   The small writers keep the second way: Chromium counts a write at its estimated size and a
 *   profile write of about 2 KB grows the disk by more, so such a trial ran some 150 KB past the
 *   quota (and past 200 writes) before the refusal.
 * - `dexie`: a Dexie middleware (registered for every database the page opens) that counts the
 *   bytes written and fails a write with a QuotaExceededError once a budget is spent, the way
 *   IndexedDB does; the client runs in the page so the middleware sees its database.
 */
import { expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { Dexie, type DBCore, type DBCoreMutateRequest } from 'dexie';
import { createMemoryClient, isMemoryError, type MemoryClient } from '../../../src/sdk/index';
import { Tally, trials, type Random } from '../harness';
import { factoryOf } from '../../contract/raw-dump';

const TOY = 'fixtures/toy-bow-embedder-384';
const WORDS = 'coffee violin tyres hiking ramen dentist garden lisbon berlin novel piano cat bicycle tea rain'.split(' ');

async function setQuota(bytes: number | undefined): Promise<void> {
  await cdp().send('Storage.overrideQuotaForOrigin', {
    origin: location.origin,
    ...(bytes === undefined ? {} : { quotaSize: bytes }),
  });
}

/** About 15 KB that compresses poorly (IndexedDB compresses values): random letters in words. */
function bulky(random: Random, n: number): string {
  const word = () => Array.from({ length: random.int(3, 9) }, () => String.fromCharCode(97 + random.int(0, 25))).join('');
  return `${random.pick(WORDS)} n${n} ${Array.from({ length: 2200 }, word).join(' ')}`.slice(0, 15_000).trim();
}

type Writer = 'addMany' | 'add' | 'append' | 'profile' | 'episode';
const PLANS: { writer: Writer; fill: 'cdp' | 'dexie' }[] = [
  { writer: 'addMany', fill: 'cdp' },
  { writer: 'append', fill: 'dexie' },
  { writer: 'profile', fill: 'dexie' },
  { writer: 'add', fill: 'cdp' },
  { writer: 'episode', fill: 'dexie' },
  { writer: 'add', fill: 'dexie' },
  { writer: 'addMany', fill: 'dexie' },
];

/** What opening a profile writes (schema, settings, a session, a memory), allowed on top of the `cdp` room. */
const OPENING = 250_000;

interface Buckets {
  keys(): Promise<string[]>;
  delete(name: string): Promise<void>;
}
const buckets = (navigator as Navigator & { storageBuckets?: Buckets }).storageBuckets;

/** The task the `episode` writer is in the middle of. */
let task: { id: string; actions: number } | undefined;

/** Bytes the `dexie` fill still allows; Infinity when off. */
let budget = Infinity;
const sizeOf = (value: unknown): number => {
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + sizeOf(item), 0);
  if (typeof value === 'object' && value !== null)
    return Object.values(value).reduce((sum: number, item) => sum + sizeOf(item), 16);
  return typeof value === 'string' ? value.length * 2 : 8;
};
Dexie.addons.push((db) =>
  db.use({
    stack: 'dbcore',
    name: 'quota-fake',
    create: (down: DBCore): DBCore => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        return {
          ...table,
          mutate: (request: DBCoreMutateRequest) => {
            if (request.type === 'add' || request.type === 'put') {
              const bytes = sizeOf(request.values);
              if (bytes > budget) return Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
              budget -= bytes;
            }
            return table.mutate(request);
          },
        };
      },
    }),
  }),
);

/** One write of the chosen kind; returns what must be found afterwards if it succeeded. */
async function write(
  client: MemoryClient,
  writer: Writer,
  random: Random,
  n: number,
  sessionId: string,
): Promise<() => Promise<boolean>> {
  if (writer === 'addMany') {
    const texts = Array.from({ length: random.int(2, 6) }, (_, i) => bulky(random, n * 10 + i));
    const items = await client.memories.addMany(texts.map((text) => ({ text })));
    return async () =>
      (await Promise.all(items.map((item) => client.memories.get(item.id)))).every((item, i) => item?.text === texts[i]);
  }
  if (writer === 'add') {
    const text = bulky(random, n);
    const item = await client.memories.add(text);
    return async () => (await client.memories.get(item.id))?.text === text;
  }
  if (writer === 'append') {
    const content = bulky(random, n);
    const turn = await client.sessions.append(sessionId, { role: 'user', content });
    return async () => (await client.sessions.turns(sessionId)).some((t) => t.id === turn.id && t.content === content);
  }
  if (writer === 'profile') {
    const value = `${random.pick(WORDS)} ${n} ${bulky(random, n).slice(0, 250)}`.trim();
    await client.profile.update([{ op: 'add', field: 'interests', value }]);
    return async () => (await client.profile.get()).profile.interests.includes(value);
  }
  // Tasks, one step per write (start, two actions, completion): the disk may fill at any step.
  const text = bulky(random, n);
  if (!task) {
    const started = await client.episodes.startTask(text.slice(0, 4000));
    task = { id: started.id, actions: 0 };
    return async () => (await client.episodes.get(started.id))?.task === text.slice(0, 4000).trim();
  }
  const { id, actions } = task;
  if (actions < 2) {
    const action = text.slice(0, 2000).trim();
    await client.episodes.recordAction(id, action, text.slice(2000, 3000));
    task.actions++;
    return async () => (await client.episodes.get(id))?.actions[actions]?.action === action;
  }
  const lesson = text.slice(0, 1000).trim();
  await client.episodes.completeTask(id, true, [lesson]);
  task = undefined;
  return async () => {
    const episode = await client.episodes.get(id);
    const memory = episode && (await client.memories.get(episode.memoryId));
    return episode?.status === 'succeeded' && episode.lessons[0] === lesson && memory?.metadata.status === 'succeeded';
  };
}

/**
 * Episodes made whole: each has its memory, a finished one's memory says how it ended, and an
 * open one (a refused completion) can be completed once there is room, memory included.
 */
async function episodeProblems(client: MemoryClient, finishOpen: boolean): Promise<string[]> {
  const problems: string[] = [];
  for (const episode of await client.episodes.list()) {
    const memory = await client.memories.get(episode.memoryId);
    if (!memory) problems.push(`episode ${episode.id} has no memory`);
    else if (episode.status !== 'open' && memory.metadata.status !== episode.status)
      problems.push(`episode ${episode.id} is ${episode.status}, its memory says ${String(memory.metadata.status)}`);
    else if (episode.status === 'open' && finishOpen) {
      const done = await client.episodes.completeTask(episode.id, false, ['the disk was full']);
      if ((await client.memories.get(done.memoryId))?.metadata.status !== 'failed')
        problems.push(`episode ${episode.id} completed after the full disk, its memory did not follow`);
    }
  }
  return problems;
}

it(
  'quota: a full disk refuses a write whole, with QUOTA_EXCEEDED, and the profile still opens',
  { timeout: 1_800_000 },
  async () => {
    const tally = new Tally('quota');
    // The quick size runs every plan once.
    const size = trials(20, PLANS.length);
    try {
      for (let t = 0; t < size; t++) {
        const profileId = `quota${tally.seed}x${t}`;
        // The trial's own generator: how many writes fit does not shift the next trial's texts.
        const random = tally.randomFor(t);
        const { writer, fill } = PLANS[t % PLANS.length]!;
        const open = () =>
          createMemoryClient({
            profileId,
            embedder: TOY,
            modelsBaseUrl: '/models/',
            ...(fill === 'dexie' ? { inWorker: false } : {}),
          });
        await tally.trial(`${profileId} ${writer} (${fill})`, async () => {
          const problems: string[] = [];
          let step = 'fill';
          try {
            await setQuota(undefined);
            budget = Infinity;
            task = undefined;
            const bucketsBefore = new Set((await buckets?.keys()) ?? []);
            const room = random.int(50_000, 600_000);
            // Before the profile's bucket exists (see the top of this file).
            if (fill === 'cdp') await setQuota(((await navigator.storage.estimate()).usage ?? 0) + OPENING + room);
            let client = await open();
            const session = await client.sessions.create('Before the disk filled');
            const seed = await client.memories.add('I keep my passport in the blue drawer');
            if (fill === 'dexie') budget = room;
            if (fill === 'cdp' && (await buckets?.keys())?.every((name) => bucketsBefore.has(name)))
              problems.push('the profile got no Storage Bucket of its own, so the lowered quota may go unseen');

            const acked: (() => Promise<boolean>)[] = [];
            let refusal: unknown;
            const counts = { before: 0, after: 0 };
            // The loop ends at the refusal. With the `dexie` fill every write that lands takes room from
            // the budget, so it ends by itself; a write that takes none is a problem (it went around
            // Dexie). With the `cdp` fill the room is at most 850 KB: 200 writes of 15 KB or more that
            // all land (3 MB) mean it was never enforced, and the trial stops before its texts fill the
            // page's memory. (A cap of 200 writes for the dexie fill too was wrong: a profile write
            // takes about 2.3 KB, so 200 of them do not spend a 600 KB room; seed 1208518579.)
            for (let n = 0; refusal === undefined && (fill === 'dexie' || n < 200); n++) {
              counts.before = await client.memories.count();
              const left = budget;
              try {
                acked.push(await write(client, writer, random, n, session.id));
              } catch (error) {
                refusal = error;
              }
              if (fill === 'dexie' && refusal === undefined && budget >= left) {
                problems.push(`write ${n} took no room from the budget`);
                break;
              }
            }
            if (!isMemoryError(refusal) || refusal.code !== 'QUOTA_EXCEEDED') {
              problems.push(`ended with ${isMemoryError(refusal) ? refusal.code : String(refusal)} instead of QUOTA_EXCEEDED`);
            }
            step = 'count';
            counts.after = await client.memories.count();
            if (counts.after !== counts.before) problems.push(`the refused write left ${counts.after - counts.before} memories`);
            for (const [i, check] of acked.entries())
              if (!(await check())) problems.push(`acknowledged write ${i} is not intact`);
            if (writer === 'episode') problems.push(...(await episodeProblems(client, false)));
            step = 'verify';
            const report = await client.maintenance.verify({ repair: false });
            if (!report.ok) problems.push(`verify: ${report.problems.map((p) => p.check).join(', ')}`);

            // Still full: the profile opens again and reads.
            step = 'close';
            await client.close();
            step = 'reopen';
            client = await open();
            step = 'read';
            if ((await client.memories.get(seed.id))?.text !== seed.text)
              problems.push('the profile does not read after reopening');
            if ((await client.memories.count()) !== counts.after) problems.push('reopening changed the count');
            const [hit] = await client.memories.search('passport drawer');
            if (hit?.item.id !== seed.id) problems.push('search does not work on the full profile');
            await client.profile.get();
            await client.sessions.list();

            step = 'room again';
            await setQuota(undefined);
            budget = Infinity;
            await client.memories.add('written once there was room again');
            if (writer === 'episode') problems.push(...(await episodeProblems(client, true)));
            await client.close();
            // Each trial starts from a near-empty origin, and leaves no bucket behind (Chromium grants
            // a site only some 65-80 of them).
            const factory = await factoryOf(`mneme-${profileId}`);
            await new Promise((resolve) => {
              const request = factory.deleteDatabase(`mneme-${profileId}`);
              request.onsuccess = request.onerror = request.onblocked = resolve;
            });
            for (const name of (await buckets?.keys()) ?? []) if (!bucketsBefore.has(name)) await buckets!.delete(name);
          } catch (error) {
            problems.push(`${step} threw ${String(error)}`);
          }
          return problems;
        });
      }
    } finally {
      await setQuota(undefined);
      budget = Infinity;
    }
    tally.report();
    expect(tally.trials).toBe(size);
  },
);
