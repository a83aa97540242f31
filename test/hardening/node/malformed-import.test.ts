/**
 * Hardening: no import file breaks a profile. A real export (memories with toy-embedder vectors,
 * sessions and turns, a rolling summary, profile entries, episodes, outbox jobs, the archive and
 * the audit trail) is mutated at random: truncated, invalid JSON, wrong types at random paths,
 * wrong vector sizes, wrong or future versions, duplicate ids, missing and extra fields, sealed
 * files without or with a wrong passphrase, and a few 50 MB strings. Each file is imported, in
 * `merge` or `replace` mode, into a profile that already holds data. A malformed file must be
 * rejected with `INVALID_IMPORT` (or `WRONG_PASSPHRASE`, `PASSPHRASE_REQUIRED`) naming the problem, and every IndexedDB
 * store must read back exactly as before (keys and values, compared through a raw dump that does
 * not use Mneme's code). Valid but odd files (an empty export, another profile's export) must
 * import cleanly.
 */
import { it } from 'vitest';
import { createMemoryClient, MemoryError, type MemoryClient } from '../../../src/sdk/index';
import { assistantModel } from '../../contract/assistant.contract';
import { Tally, trials, isFull } from '../harness';
import { makeCase, PASSPHRASE, type JsonObject } from './malformed-import-cases';

const TOY = 'fixtures/toy-bow-embedder-384';
let counter = 0;

const open = (profileId: string, extra: Record<string, unknown> = {}) =>
  createMemoryClient({ profileId, embedder: TOY, inWorker: false, modelsBaseUrl: process.env.MNEME_MODELS!, ...extra });

/** A profile with something in every layer, exported. */
async function sourceExport(): Promise<{ plain: string; sealed: string }> {
  const client = await open(`import-source${Date.now()}x${counter++}`, { chatModel: assistantModel({ replies: [] }) });
  await client.memories.addMany([
    { text: 'I am allergic to peanuts', kind: 'fact', pinned: true, importance: 0.9, metadata: { source: 'chat' } },
    { text: 'Our cat is called Miso', metadata: { n: 3, ok: true, none: null } },
    { text: 'The car needs new winter tyres' },
  ]);
  const session = await client.sessions.create('Plans');
  await client.chat.send(session.id, 'My name is Ada. I love jazz');
  await client.chat.regenerate(session.id); // the first reply moves to the archive
  for (let i = 0; i < 22; i++)
    await client.sessions.append(session.id, { role: i % 2 ? 'assistant' : 'user', content: `planning message ${i}` });
  await client.sessions.summarise(session.id);
  await client.outbox.drain();
  await client.profile.update([{ op: 'set', field: 'preferences', key: 'tea', value: 'green' }]);
  const episode = await client.episodes.startTask('Book a train to Porto');
  await client.episodes.recordAction(episode.id, 'searched timetables', 'found a 9:00 train');
  await client.episodes.completeTask(episode.id, true, ['book early']);
  await client.episodes.startTask('Renew the passport');
  const doomed = await client.memories.add('A note to delete');
  await client.memories.delete(doomed.id);
  const plain = await client.data.export();
  const sealed = await client.data.export({ passphrase: PASSPHRASE });
  await client.close();
  return { plain, sealed };
}

/** Every store of a database, keys and values, in a form that tells types and bytes apart. */
async function rawDump(name: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const read = <T>(request: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const parts: string[] = [];
  for (const store of Array.from(db.objectStoreNames).sort()) {
    const tx = db.transaction(store, 'readonly').objectStore(store);
    const [keys, values] = await Promise.all([read(tx.getAllKeys()), read(tx.getAll())]);
    parts.push(`# ${store}`, ...keys.map((key, i) => `${typed(key)} => ${typed(values[i])}`));
  }
  db.close();
  return parts.join('\n');
}

function typed(value: unknown): string {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes =
      value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `${value.constructor.name}(${Buffer.from(bytes).toString('hex')})`;
  }
  if (Array.isArray(value)) return `[${value.map(typed).join(',')}]`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${typed(v)}`)
      .join(',')}}`;
  }
  return `${typeof value}:${String(value)}`;
}

it('rejects every malformed import with INVALID_IMPORT and leaves the profile byte for byte as it was', async () => {
  const tally = new Tally('malformed-import');
  const { plain, sealed } = await sourceExport();
  const other = (await sourceExport()).plain;
  const good = JSON.parse(plain) as JsonObject;

  const profileId = `import-target${Date.now()}x${counter++}`;
  const target: MemoryClient = await open(profileId);
  await target.data.import(plain);
  await target.memories.add('A memory of the target profile alone', { metadata: { mine: true } });
  const session = await target.sessions.create('Target session');
  await target.sessions.append(session.id, { role: 'user', content: 'hello from the target' });
  const baseline = await target.data.export();
  const dbName = `mneme-${profileId}`;

  const count = trials(1000, 60);
  const bigTrials = new Set(isFull() ? [17, 250, 500, 750, 999] : [count - 1]);
  for (let n = 0; n < count; n++) {
    const c = makeCase(tally.random, good, plain, sealed, other, bigTrials.has(n));
    const mode = tally.random.pick(['merge', 'replace'] as const);
    await tally.trial(`${mode} ${c.label}`, async () => {
      const problems: string[] = [];
      const before = await rawDump(dbName);
      const result = await target.data
        .import(c.text as string, { mode, ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase }) })
        .then(
          (report) => ({ report }),
          (error: unknown) => ({ error }),
        );
      if (c.expect === 'ok') {
        if ('error' in result) problems.push(`a valid file was refused: ${String(result.error)}`);
        // Back to the profile the other trials start from.
        await target.data.import(baseline, { mode: 'replace' });
        return problems;
      }
      if ('report' in result) {
        problems.push(`accepted: ${JSON.stringify(result.report)}`);
      } else if (!(result.error instanceof MemoryError)) {
        problems.push(`threw a ${(result.error as Error)?.constructor?.name}: ${String(result.error).slice(0, 200)}`);
      } else {
        if (result.error.code !== c.expect)
          problems.push(`code ${result.error.code}, expected ${c.expect}: ${result.error.message.slice(0, 200)}`);
        if (c.names && !c.names.test(result.error.message))
          problems.push(`message "${result.error.message.slice(0, 200)}" does not name ${c.names}`);
      }
      const after = await rawDump(dbName);
      if (after !== before) {
        problems.push('the database changed');
        await target.data.import(baseline, { mode: 'replace' });
      }
      return problems;
    });
  }
  await target.close();
  tally.report();
}, 600_000);
