/**
 * isolation: two profiles open side by side (two memory workers), each holding texts written to
 * match the other's queries: shared words, the other profile's own tokens, near-duplicates. Every
 * query, through search, context building, episodes and sessions, must return only the asking
 * profile's records, ever; the other profile's unique tokens must never appear in what it gets.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';
import { Tally, trials } from '../harness';

const TOY = 'fixtures/toy-bow-embedder-384';
const SHARED = 'coffee violin tyres hiking ramen dentist garden lisbon berlin novel piano cat bicycle tea rain'.split(' ');

interface Side {
  name: string;
  client: MemoryClient;
  /** Tokens only this profile's records contain. */
  tokens: string[];
  ids: Set<string>;
}

async function fill(client: MemoryClient, name: string, tally: Tally): Promise<Side> {
  const random = tally.random;
  const tokens = Array.from({ length: 40 }, (_, i) => `${name}secret${i}q`);
  const texts = Array.from({ length: 200 }, (_, i) =>
    [random.pick(SHARED), random.pick(tokens), random.pick(SHARED), `shared phrase ${i % 20}`, random.pick(SHARED)].join(' '),
  );
  const items = await client.memories.addMany(texts.map((text, i) => ({ text, kind: i % 3 ? 'fact' : 'preference' })));
  const session = await client.sessions.create(`${name} chat ${tokens[0]}`);
  for (let i = 0; i < 6; i++) await client.sessions.append(session.id, { role: 'user', content: `${texts[i]} ${tokens[i]}` });
  const task = await client.episodes.startTask(`plan ${random.pick(SHARED)} ${tokens[1]}`);
  await client.episodes.recordAction(task.id, `booked ${tokens[2]}`, 'done');
  await client.episodes.completeTask(task.id, true, [`lesson ${tokens[3]}`]);
  await client.profile.update([{ op: 'set', field: 'name', value: `${name} ${tokens[4]}` }]);
  return { name, client, tokens, ids: new Set(items.map((item) => item.id)) };
}

it("isolation: a profile never returns another profile's records", { timeout: 1_800_000 }, async () => {
  const tally = new Tally('isolation');
  const [one, two] = await Promise.all(
    ['alpha', 'beta'].map((name) =>
      createMemoryClient({ profileId: `iso${name}${tally.seed}`, embedder: TOY, modelsBaseUrl: '/models/' }),
    ),
  );
  try {
    const sides = [await fill(one!, 'alpha', tally), await fill(two!, 'beta', tally)] as const;
    const counts = await Promise.all(sides.map((side) => side.client.memories.count()));
    const queries = trials(1000, 200);
    for (let q = 0; q < queries; q++) {
      const asking = sides[q % 2]!;
      const other = sides[(q + 1) % 2]!;
      const random = tally.random;
      // Designed to match the other profile: its tokens, shared words, or both.
      const query = [
        random.pick(other.tokens),
        random.chance(0.5) ? random.pick(SHARED) : '',
        random.chance(0.3) ? random.pick(asking.tokens) : '',
      ]
        .join(' ')
        .trim();
      await tally.trial(`${asking.name}: ${query}`, async () => {
        const problems: string[] = [];
        const leaked = (value: string) => other.tokens.some((token) => value.includes(token));
        const results = await asking.client.memories.search(query, { limit: 20, includeArchived: true });
        for (const result of results) {
          if (other.ids.has(result.item.id) || leaked(result.item.text))
            problems.push(`search returned ${result.item.id} of ${other.name}`);
        }
        if (q % 10 === 0) {
          const bundle = await asking.client.context.build(query);
          // The bundle repeats the query itself; everything else must be this profile's.
          if (leaked(JSON.stringify(bundle).replaceAll(query, '')))
            problems.push("the built context holds the other profile's text");
          const similar = await asking.client.episodes.similar(query, 5);
          if (leaked(JSON.stringify(similar))) problems.push("similar episodes hold the other profile's text");
          const sessions = await asking.client.sessions.list();
          if (leaked(JSON.stringify(sessions))) problems.push("sessions hold the other profile's text");
          const profile = await asking.client.profile.get();
          if (leaked(JSON.stringify(profile))) problems.push("the profile holds the other profile's values");
        }
        return problems;
      });
    }
    // Writes on one side never show on the other.
    await tally.trial('a new memory stays in its profile', async () => {
      const item = await sides[0].client.memories.add(`fresh ${sides[0].tokens[5]} only here`);
      const seen = await sides[1].client.memories.get(item.id);
      const found = await sides[1].client.memories.search(sides[0].tokens[5]!);
      return seen || found.some((result) => result.item.id === item.id) ? ['the other profile sees a new memory'] : [];
    });
    expect(await sides[0].client.memories.count()).toBe(counts[0]! + 1);
    expect(await sides[1].client.memories.count()).toBe(counts[1]);
  } finally {
    await Promise.all([one!.close(), two!.close()]);
  }
  tally.report();
});
