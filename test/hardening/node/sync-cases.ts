/**
 * The `sync` suite's fixed cases, each a trial with seeded variations: an upload cut in the middle
 * of a request body resumes and leaves no duplicate; a server that serves garbage or tampered
 * envelopes gets them refused (SYNC_ENVELOPE_INVALID) with nothing of them written.
 */
import type { MemoryClient } from '../../../src/sdk/index';
import { open, seal } from '../../../src/sync/envelope';
import { deriveSyncKeys, generateSyncKey, type SyncKeys } from '../../../src/sync/keys';
import { parsePairingCode } from '../../../src/sync/pairing';
import { startCuttableProxy } from '../../support/cuttable-proxy';
import type { Random } from '../harness';
import { closeDevice, createDevice, until, type Device } from './sync-devices';

let counter = 0;
const tagOf = (what: string) => `${what}${Date.now()}x${counter++}`;

const texts = async (client: MemoryClient) =>
  (await client.memories.list({ limit: 100_000 })).map((item) => `${item.id}=${item.text}`).sort();

const idleAndSent = (device: Device) => async () => {
  const status = await device.client.sync.status();
  return status.state === 'idle' && status.pending === 0
    ? undefined
    : `${device.label} is ${status.state}, ${status.pending} pending`;
};

interface ServerDoc {
  _id: string;
  _rev?: string;
  _conflicts?: string[];
  box?: string;
  v?: number;
}

async function serverDocs(url: string, database: string): Promise<ServerDoc[]> {
  const response = await fetch(new URL(`${database}/_all_docs?include_docs=true&conflicts=true`, url));
  const { rows } = (await response.json()) as { rows: { doc: ServerDoc }[] };
  return rows.map((row) => row.doc).filter((doc) => !doc._id.startsWith('_'));
}

/**
 * The server's memory versions: the profile's other records (conversations, audit entries, settings…)
 * sync too, and only the key tells them apart, so each document is opened.
 */
async function memoryDocs(url: string, keys: SyncKeys): Promise<ServerDoc[]> {
  const docs = await serverDocs(url, keys.database);
  const kinds = await Promise.all(docs.map(async (doc) => ((await open(keys, doc)) as { type?: unknown })?.type));
  return docs.filter((_, i) => kinds[i] === 'memory');
}

export async function runUploadCutTrial(url: string, random: Random): Promise<string[]> {
  const tag = tagOf('uploadcut');
  const count = random.int(120, 200);
  const a = await createDevice(`${tag}a`, 'A', await startCuttableProxy(url));
  const b = await createDevice(`${tag}b`, 'B', await startCuttableProxy(url));
  try {
    await a.client.memories.addMany(Array.from({ length: count }, (_, i) => ({ text: `canary-${tag} memory ${i}` })));
    // The first upload is cut somewhere inside its requests (the ids it offers, then the bodies).
    const budget = random.int(2_000, 60_000);
    a.proxy.cutAfter(budget);
    await a.client.sync.enable({ url: a.proxy.url });
    const offline = await until(async () => ((await a.client.sync.status()).state === 'offline' ? undefined : 'still online'));
    if (offline) return [`the upload was not cut after ${budget} bytes`];
    a.proxy.restore();
    await b.client.sync.join(await a.client.sync.pairingCode());
    const problem = await until(async () => {
      const [mine, theirs] = [await texts(a.client), await texts(b.client)];
      return mine.length === count && JSON.stringify(mine) === JSON.stringify(theirs)
        ? undefined
        : `B has ${theirs.length} of ${count} memories`;
    });
    const problems: string[] = problem ? [problem] : [];
    const sent = await until(idleAndSent(a));
    if (sent) problems.push(sent);
    const keys = await deriveSyncKeys(parsePairingCode(await a.client.sync.pairingCode()).syncKey);
    const docs = await serverDocs(url, keys.database);
    const versions = await memoryDocs(url, keys);
    if (versions.length !== count) problems.push(`the server holds ${versions.length} memory versions for ${count} memories`);
    const conflicted = docs.filter((doc) => (doc._conflicts ?? []).length > 0).length;
    if (conflicted > 0) problems.push(`${conflicted} documents have conflicting revisions`);
    if (versions.some((doc) => !doc._rev?.startsWith('1-'))) problems.push('a memory version was written twice');
    return problems;
  } finally {
    await closeDevice(a);
    await closeDevice(b);
  }
}

const FORMS = ['flip-byte', 'swap-box', 'not-base64', 'wrong-version', 'truncated', 'foreign-key', 'not-a-version'] as const;

export async function runTamperTrial(url: string, random: Random): Promise<string[]> {
  const tag = tagOf('tamper');
  const a = await createDevice(`${tag}a`, 'A', await startCuttableProxy(url));
  const b = await createDevice(`${tag}b`, 'B', await startCuttableProxy(url));
  try {
    const count = random.int(4, 8);
    await a.client.memories.addMany(Array.from({ length: count }, (_, i) => ({ text: `canary-${tag} kept ${i}` })));
    await a.client.sync.enable({ url: a.proxy.url });
    const code = await a.client.sync.pairingCode();
    const keys = await deriveSyncKeys(parsePairingCode(code).syncKey);
    const waited = await until(idleAndSent(a));
    if (waited) return [waited];
    const before = await texts(a.client);
    // Only memory versions are altered, so the memories that cannot reach B are known.
    const docs = await memoryDocs(url, keys);
    const write = (doc: object) =>
      fetch(new URL(`${keys.database}/${encodeURIComponent((doc as ServerDoc)._id)}`, url), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      });
    // Two to four documents altered or planted; the altered ones' memories cannot reach B.
    const forms = Array.from({ length: random.int(2, 4) }, () => random.pick(FORMS));
    const spoiled = new Set<string>();
    const problems: string[] = [];
    for (const [i, form] of forms.entries()) {
      const real = docs[i % docs.length]!;
      const other = docs[(i + 1) % docs.length]!;
      const box = real.box!;
      const at = random.int(0, box.length - 1);
      const planted = `dplanted${i}${tag.toLowerCase()}`;
      const doc: object = {
        'flip-byte': { ...real, box: `${box.slice(0, at)}${box[at] === 'A' ? 'B' : 'A'}${box.slice(at + 1)}` },
        'swap-box': { ...real, box: other.box },
        'not-base64': { _id: planted, v: 1, box: 'this is not base64url!' },
        'wrong-version': { ...real, v: 2 },
        truncated: { ...real, box: box.slice(0, 20) },
        'foreign-key': await seal(await deriveSyncKeys(generateSyncKey()), planted, { type: 'memory', id: 'x' }),
        'not-a-version': { ...(await seal(keys, planted, { hello: 'world' })), _id: planted },
      }[form];
      if ('_rev' in doc) spoiled.add(real._id);
      const response = await write(doc);
      if (!response.ok) problems.push(`the server refused the ${form} document: ${response.status}`);
    }
    // The foreign and the planted "not a version" documents keep ids of their own: they are new.
    await b.client.sync.join(code);
    const invalid = (device: Device) => async () => {
      const errors = (await device.client.sync.status()).errors.filter((error) => error.code === 'SYNC_ENVELOPE_INVALID');
      return errors.length >= forms.length ? undefined : `${device.label} reported ${errors.length} of ${forms.length}`;
    };
    const intact = before.length - spoiled.size;
    const reached = await until(
      async () => (await invalid(b)()) ?? ((await texts(b.client)).length === intact ? undefined : 'B is still merging'),
    );
    if (reached) problems.push(reached);
    const onB = await texts(b.client);
    if (onB.length !== intact) problems.push(`B holds ${onB.length} memories, ${intact} intact ones were sent`);
    if (onB.some((entry) => !before.includes(entry))) problems.push('B holds a memory A never had');
    const seenByA = await until(invalid(a));
    if (seenByA) problems.push(seenByA);
    if (JSON.stringify(await texts(a.client)) !== JSON.stringify(before)) problems.push("A's memories changed");
    return problems;
  } finally {
    await closeDevice(a);
    await closeDevice(b);
  }
}
