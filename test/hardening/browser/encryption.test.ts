/**
 * Hardening: encryption at rest in real Chromium (IndexedDB, WebCrypto, the memory worker). One
 * encrypted profile is reused; each trial
 *  - writes a fresh random canary into every layer: a memory (text and metadata), profile entries,
 *    a session title and its turns, a rolling summary, an episode (task, action, lessons), the
 *    audit trail, the outbox (jobs left pending at close) and the lexical snapshot (written when
 *    the client closes);
 *  - closes the client and dumps every IndexedDB store without Mneme's code: neither the canary
 *    nor any of its distinctive words may appear;
 *  - reopens it locked and tries wrong passphrases (random, empty, short, near misses of the real
 *    one): each must fail with WRONG_PASSPHRASE, leave it locked, and not change a byte of the dump;
 *  - changes the passphrase: the old one then fails, the new one opens, and the records of every
 *    trial so far read back intact.
 */
import { expect, it } from 'vitest';
import { createMemoryClient, MemoryError, type ChatModel, type MemoryClient } from '../../../src/sdk/index';
import { dumpDatabase } from '../../contract/raw-dump';
import { Tally, trials, type Random } from '../harness';

const EMBEDDER = 'fixtures/toy-bow-embedder-384';

interface Canary {
  words: [string, string, string];
  sentence: string;
  memoryId?: string;
  sessionId?: string;
  episodeId?: string;
}

function canary(random: Random): Canary {
  const word = () => Array.from({ length: 10 }, () => String.fromCharCode(random.int(97, 122))).join('');
  const words: Canary['words'] = [word(), word(), word()];
  return { words, sentence: `The vault code is ${words[0]} near ${words[1]} by ${words[2]}` };
}

/**
 * A scripted model that repeats the current canary in every answer: facts, profile, summaries,
 * replies. While `hold()` is true, extraction waits for its abort (the client closing), so the
 * job and its payload stay in the outbox.
 */
function canaryModel(current: () => Canary, hold: () => boolean): ChatModel {
  return {
    id: 'test/canary-model',
    async generate(messages, options = {}) {
      const system = messages[0]?.content ?? '';
      const { sentence, words } = current();
      if (system.startsWith('Extract') && hold()) {
        return new Promise<string>((_, reject) =>
          options.signal?.addEventListener('abort', () => reject(new MemoryError('ABORTED', 'closed'))),
        );
      }
      if (system.startsWith('Extract'))
        return JSON.stringify({ facts: [{ text: `The user said ${sentence}`, importance: 0.8 }] });
      if (system.startsWith('A new fact')) return JSON.stringify({ relation: 'complementary', candidate: 1 });
      if (system.includes('structured profile'))
        return JSON.stringify({ patches: [{ op: 'add', field: 'goals', value: words[1] }] });
      if (system.startsWith('Update the running summary')) return JSON.stringify({ summary: `They discussed ${sentence}` });
      return `Noted: ${sentence}`;
    },
  };
}

function nearMisses(random: Random, passphrase: string): string[] {
  const at = random.int(0, passphrase.length - 1);
  const other = String.fromCharCode(passphrase.charCodeAt(at) ^ 1);
  return [
    passphrase.slice(0, -1),
    `${passphrase} `,
    ` ${passphrase}`,
    passphrase.toUpperCase(),
    passphrase.slice(0, at) + other + passphrase.slice(at + 1),
    passphrase + random.pick(['1', '!', 'x']),
    // A passphrase without lower-case letters is its own upper case: that is no miss.
  ].filter((miss) => miss !== passphrase);
}

const randomPassphrase = (random: Random) =>
  Array.from({ length: random.int(12, 24) }, () => String.fromCharCode(random.int(33, 126))).join('');

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

it('keeps every layer sealed at rest, refuses wrong passphrases without a trace, and survives passphrase changes', async () => {
  const tally = new Tally('encryption');
  const random = tally.random;
  const profileId = `hardening-enc${Date.now()}`;
  const dbName = `mneme-${profileId}`;
  let current: Canary = canary(random);
  let passphrase = randomPassphrase(random);
  const written: Canary[] = [];
  let holding = false;
  const open = (withPassphrase?: string) =>
    createMemoryClient({
      profileId,
      embedder: EMBEDDER,
      modelsBaseUrl: '/models/',
      chatModel: canaryModel(
        () => current,
        () => holding,
      ),
      ...(withPassphrase === undefined ? {} : { encryption: { passphrase: withPassphrase } }),
    });

  const count = trials(100, 3);
  for (let n = 0; n < count; n++) {
    current = canary(random);
    await tally.trial(`trial ${n} canary ${current.words.join(' ')}`, async () => {
      const problems: string[] = [];
      const c = current;
      const [w0, w1, w2] = c.words;

      // 1. A canary in every layer.
      let client: MemoryClient = await open(passphrase);
      const item = await client.memories.add(c.sentence, { metadata: { note: w1, where: c.sentence } });
      c.memoryId = item.id;
      await client.profile.update([
        { op: 'set', field: 'preferences', key: w0, value: c.sentence },
        { op: 'add', field: 'interests', value: w2 },
      ]);
      const session = await client.sessions.create(`Talk about ${w2}`);
      c.sessionId = session.id;
      await client.chat.send(session.id, `Remember this: ${c.sentence}`);
      for (let i = 0; i < 4; i++) {
        await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: `${w0} turn ${i} ${w1}` });
      }
      await client.outbox.drain();
      const summary = await client.sessions.summarise(session.id, { threshold: 3, batch: 3 });
      if (!summary?.text.includes(w0)) problems.push(`no summary was written: ${JSON.stringify(summary)}`);
      const episode = await client.episodes.startTask(`Hide ${c.sentence}`);
      c.episodeId = episode.id;
      await client.episodes.recordAction(episode.id, `buried ${w1}`, `found ${w2}`);
      await client.episodes.completeTask(episode.id, true, [`never tell ${w0}`]);
      // Left pending at close: its payload (the user's text) stays in the outbox.
      holding = true;
      await client.chat.send(session.id, `One more thing about ${w2}: ${c.sentence}`);
      const pending = await client.outbox.list();
      if (!pending.some((job) => job.state !== 'done')) problems.push('no outbox job was left pending');
      const audit = await client.memories.audit(500);
      if (!JSON.stringify(audit).includes(w0)) problems.push('the audit trail does not hold the canary');
      written.push(c);
      await client.close(); // writes the lexical snapshot
      holding = false;

      // 2. Nothing of any canary in the raw database.
      const sealed = await dumpDatabase(dbName);
      if (!sealed.includes('lexical.snapshot')) problems.push('no lexical snapshot was written');
      const lower = sealed.toLowerCase();
      for (const old of written) {
        for (const word of [old.sentence.toLowerCase(), ...old.words])
          if (lower.includes(word)) problems.push(`the raw dump holds "${word}": ${leakAt(sealed, word)}`);
      }

      // 3. Wrong passphrases: refused, locked, not a byte changed.
      client = await open();
      const before = await dumpDatabase(dbName);
      const wrong = [
        randomPassphrase(random),
        random.pick(['', 'short', passphrase.slice(0, 7)]),
        random.pick(nearMisses(random, passphrase)),
      ];
      for (const attempt of wrong) {
        const error = await failure(client.encryption.unlock(attempt));
        if (!(error instanceof MemoryError) || error.code !== 'WRONG_PASSPHRASE') {
          problems.push(`unlock(${JSON.stringify(attempt)}) gave ${error instanceof MemoryError ? error.code : String(error)}`);
        }
        const status = await client.encryption.status();
        if (!status.locked) problems.push(`unlocked by ${JSON.stringify(attempt)}`);
        const read = await failure(client.memories.get(item.id));
        if (!(read instanceof MemoryError) || read.code !== 'LOCKED')
          problems.push(`a read after ${JSON.stringify(attempt)} was not LOCKED`);
      }
      if ((await dumpDatabase(dbName)) !== before) problems.push('a wrong passphrase changed the database');

      // 4. A new passphrase: the old one fails, the new one opens everything.
      await client.encryption.unlock(passphrase);
      const next = randomPassphrase(random);
      await client.encryption.changePassphrase(passphrase, next);
      await client.close();
      client = await open();
      const old = await failure(client.encryption.unlock(passphrase));
      if (!(old instanceof MemoryError) || old.code !== 'WRONG_PASSPHRASE')
        problems.push(`the old passphrase gave ${String(old)}`);
      passphrase = next;
      await client.encryption.unlock(passphrase);
      problems.push(...(await intact(client, written)));
      await client.close();
      const after = (await dumpDatabase(dbName)).toLowerCase();
      if (written.some((old) => old.words.some((word) => after.includes(word))))
        problems.push('a canary is in the dump after the change');
      return problems;
    });
  }
  tally.report();
  expect(written.length).toBe(count);
}, 900_000);

/** Every record written by every trial so far reads back as it was written. */
async function intact(client: MemoryClient, written: Canary[]): Promise<string[]> {
  const problems: string[] = [];
  const { profile } = await client.profile.get();
  const profileTrail = JSON.stringify(await client.profile.history());
  for (const c of written) {
    const [w0, w1, w2] = c.words;
    const item = await client.memories.get(c.memoryId!);
    if (item?.text !== c.sentence || item.metadata.note !== w1) problems.push(`memory of ${w0} changed: ${JSON.stringify(item)}`);
    if (profile.preferences[w0] !== c.sentence) problems.push(`preference ${w0} is ${profile.preferences[w0]}`);
    if (!profile.interests.includes(w2)) problems.push(`interest ${w2} is missing`);
    const session = await client.sessions.get(c.sessionId!);
    if (session?.title !== `Talk about ${w2}`) problems.push(`session title of ${w2} is ${session?.title}`);
    const turns = await client.sessions.turns(c.sessionId!, { includeArchived: true });
    if (
      !turns.some((t) => t.content === `Remember this: ${c.sentence}`) ||
      !turns.some((t) => t.content === `${w0} turn 3 ${w1}`)
    ) {
      problems.push(`turns of ${w0} changed`);
    }
    const summary = await client.sessions.summary(c.sessionId!);
    if (!summary?.text.includes(c.sentence)) problems.push(`summary of ${w0} is ${summary?.text}`);
    const episode = await client.episodes.get(c.episodeId!);
    if (
      episode?.task !== `Hide ${c.sentence}` ||
      episode.actions[0]?.action !== `buried ${w1}` ||
      episode.lessons[0] !== `never tell ${w0}`
    ) {
      problems.push(`episode of ${w0} changed`);
    }
    // The trails read per record (the recent-changes view holds the newest 1,000 only): the
    // memory's creation, and the profile change whose value is the canary sentence.
    const history = await client.memories.history(c.memoryId!);
    if (!history.some((entry) => entry.action === 'create')) problems.push(`the memory trail of ${w0} lost its creation`);
    if (!profileTrail.includes(c.sentence)) problems.push(`the profile trail lost ${w0}`);
    const [hit] = await client.memories.search(c.sentence, { limit: 1 });
    if (!hit?.item.text.includes(w0)) problems.push(`search for ${w0} found ${hit?.item.text}`);
  }
  return problems;
}

/** Where a word shows in a dump: the store (a line of its own before its records) and the text around it. */
function leakAt(dump: string, word: string): string {
  const at = dump.toLowerCase().indexOf(word);
  const lines = dump.slice(0, at).split('\n');
  const store = [...lines].reverse().find((line) => /^[a-zA-Z]+$/.test(line)) ?? '?';
  return `${store}: …${dump.slice(Math.max(0, at - 80), at + 40).replace(/[^\x20-\x7e]/g, '.')}…`;
}
