/**
 * Hardening: sync. Each trial pairs 2–3 devices (in-process engines) through a real pouchdb-server
 * (started here on a free loopback port, its databases on disk so it can be restarted, stopped by
 * pid), each device behind a proxy the test can cut. A seeded script then interleaves user adds,
 * edits, pins and forgets, model edits and model supersedes (through `memories.remember` and a
 * scripted model) on random devices, with devices going offline and coming back, connections cut
 * mid-sync, and the server restarting. The expected state comes from the op log alone
 * (./sync-oracle.ts); after every sync point each online device must show exactly that, and at
 * the end every device the same, with the server holding no canary text and no record id.
 * Further cases: an upload cut mid-body resumes with no duplicates; garbage and tampered envelopes
 * from the server are refused with SYNC_ENVELOPE_INVALID and write nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startSyncServer, type SyncServer } from '../../../scripts/sync-server.mjs';
import { startCuttableProxy } from '../../support/cuttable-proxy';
import { serverDump } from '../../contract/sync.contract';
import { deriveSyncKeys, type SyncKeys } from '../../../src/sync/keys';
import { pairingCode, parsePairingCode } from '../../../src/sync/pairing';
import { isFull, Tally, trials, type Random } from '../harness';
import { closeDevice, createDevice, ownVersion, revisions, serverRevisions, show, until, type Device } from './sync-devices';
import { deviceState, drawOp, kindOf, type Effect } from './sync-kinds';
import { SyncOracle, type Projection } from './sync-oracle';
import { runTamperTrial, runUploadCutTrial } from './sync-cases';

let server: SyncServer;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'mneme-sync-hardening-'));
let counter = 0;

beforeAll(async () => {
  server = await startSyncServer({ dir });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function restartServer(): Promise<void> {
  await server.stop();
  server = await startSyncServer({ dir, port });
}

interface Trial {
  random: Random;
  devices: Device[];
  keys: SyncKeys;
  oracle: SyncOracle;
  canary: string;
  problems: string[];
  log: string[];
  words: number;
}

/** Waits for the device's own versions of `effects` in its replica, and records them in the oracle. */
async function record(trial: Trial, device: Device, effects: Effect[]): Promise<void> {
  for (const effect of effects) {
    const kind = kindOf(effect.key);
    let stamp = '';
    // The op's own version: a later one than the device had (an op can bring back an earlier state).
    const previous = trial.oracle.ownStamp(device.id, effect.key);
    const problem = await until(async () => {
      const body = await ownVersion(device, trial.keys, kind.versionName(device.id, effect.key));
      if (!body) return `no version of ${effect.key} on ${device.label}`;
      const read = kind.readVersion(body);
      if (!(read.stamp > previous)) return `no new version of ${effect.key} on ${device.label} after ${previous}`;
      if (JSON.stringify(read.state) !== JSON.stringify(effect.state)) {
        return `${device.label}'s version of ${effect.key} is ${JSON.stringify(read.state)}, not ${JSON.stringify(effect.state)}`;
      }
      if (read.actor !== effect.actor)
        return `${device.label}'s version of ${effect.key} is by ${String(read.actor)}, not ${effect.actor}`;
      stamp = read.stamp;
      return undefined;
    });
    if (problem) {
      trial.problems.push(problem);
      return;
    }
    const latest = trial.oracle.latestStamp(device.id);
    if (!(stamp > latest)) trial.problems.push(`${device.label} stamped ${stamp}, not after ${latest} it had merged`);
    trial.oracle.record(device.id, effect.key, stamp, effect.actor, effect.state);
  }
}

/** Every online device syncs until it shows what the oracle says and holds what the server holds. */
async function settle(trial: Trial, why: string): Promise<void> {
  const online = trial.devices.filter((device) => device.online);
  trial.oracle.syncAll(online.map((device) => device.id));
  for (const device of online) {
    const expected = trial.oracle.expected(device.id);
    const problem = await until(async () => {
      const actual = await deviceState(device.client);
      if (show(actual) !== show(expected)) return `${device.label}: ${difference(actual, expected)}`;
      const [local, remote] = [await revisions(device.replica), await serverRevisions(server.url, trial.keys.database)];
      if (local !== remote) return `${device.label}'s replica differs from the server`;
      return undefined;
    });
    if (problem) trial.problems.push(`after ${why}: ${problem}`);
  }
}

/** The records a device shows differently from what it must (shown, then expected). */
function difference(actual: Map<string, Projection>, expected: Map<string, Projection>): string {
  const keys = new Set([...actual.keys(), ...expected.keys()]);
  const differing = [...keys].filter((key) => JSON.stringify(actual.get(key)) !== JSON.stringify(expected.get(key)));
  return differing
    .map((key) => `${key} is ${JSON.stringify(actual.get(key) ?? null)}, must be ${JSON.stringify(expected.get(key) ?? null)}`)
    .join('; ');
}

async function step(trial: Trial, index: number): Promise<void> {
  const { random, devices } = trial;
  const roll = random.next();
  const offline = devices.filter((device) => !device.online);
  if (roll < 0.1 && offline.length > 0) {
    const device = random.pick(offline);
    device.proxy.restore();
    device.online = true;
    trial.log.push(`${index}: ${device.label} back online`);
    return settle(trial, `${device.label} came back`);
  }
  if (roll < 0.3 && devices.length - offline.length > 1) {
    const device = random.pick(devices.filter((candidate) => candidate.online));
    device.proxy.cut();
    device.online = false;
    trial.log.push(`${index}: ${device.label} offline`);
    return;
  }
  const device = random.pick(devices);
  const state = trial.oracle.expected(device.id);
  const { kind, op, target } = drawOp(random, state);
  trial.log.push(`${index}: ${device.label}${device.online ? '' : ' (offline)'} ${kind.name} ${op.name} ${target ?? ''}`);
  const effects = await op.run({ device, random, canary: trial.canary, fresh: () => freshWord(trial), state }, target);
  await record(trial, device, effects);
  if (!device.online) return;
  const disruption = random.next();
  if (disruption < 0.1) {
    // Cut while the change may be on its way, then back: replication resumes.
    device.proxy.cut();
    device.proxy.restore();
    trial.log.push(`${index}: ${device.label} cut mid-sync`);
  } else if (disruption < 0.16) {
    await restartServer();
    trial.log.push(`${index}: server restarted mid-sync`);
  }
  await settle(trial, `step ${index}`);
}

function freshWord(trial: Trial): string {
  const n = trial.words++;
  let word = '';
  for (let rest = n + 26 * 26; rest > 0; rest = Math.floor(rest / 26)) word += String.fromCharCode(97 + (rest % 26));
  return `q${word}${trial.random.int(10, 99) > 50 ? 'x' : 'z'}`;
}

async function runTrial(random: Random, steps: number): Promise<string[]> {
  const tag = `synch${Date.now()}x${counter++}`;
  const canary = `canary-${tag}`;
  const count = random.int(2, 3);
  const devices: Device[] = [];
  const trial: Trial = { random, devices, keys: undefined!, oracle: new SyncOracle(), canary, problems: [], log: [], words: 0 };
  try {
    for (let i = 0; i < count; i++)
      devices.push(await createDevice(`${tag}d${i}`, 'ABC'[i]!, await startCuttableProxy(server.url)));
    const [first] = devices as [Device];
    // Memories written before sync was set up are uploaded when it is.
    const initial = random.int(1, 3);
    const early: Effect[] = [];
    for (let i = 0; i < initial; i++) {
      const text = `${canary} ${freshWord(trial)} early ${freshWord(trial)}`;
      const item = await first.client.memories.add(text, { kind: 'fact' });
      early.push({ key: `memory:${item.id}`, actor: 'user', state: { text, pinned: false, current: true, supersededBy: null } });
    }
    await first.client.sync.enable({ url: first.proxy.url });
    const pairing = parsePairingCode(await first.client.sync.pairingCode());
    trial.keys = await deriveSyncKeys(pairing.syncKey);
    for (const device of devices.slice(1)) await device.client.sync.join(pairingCode({ ...pairing, url: device.proxy.url }));
    for (const device of devices) {
      device.id = (await device.client.sync.status()).device!;
      trial.oracle.addDevice(device.id);
    }
    await record(trial, first, early);
    await settle(trial, 'pairing');
    for (let i = 0; i < steps && trial.problems.length === 0; i++) await step(trial, i);
    for (const device of devices) {
      device.proxy.restore();
      device.online = true;
    }
    await settle(trial, 'the end');
    const hashes = await Promise.all(devices.map(async (device) => show(await deviceState(device.client))));
    if (new Set(hashes).size !== 1) trial.problems.push(`devices differ at the end: ${hashes.join(' | ')}`);
    const dump = (await serverDump(server.url)).toLowerCase();
    if (dump.includes('canary')) trial.problems.push('the server holds canary text');
    const ids = [...trial.oracle.expected(first.id).keys()].map((key) => key.split(':')[1]!);
    if (ids.some((id) => dump.includes(id.toLowerCase()))) trial.problems.push('the server holds a record id');
  } finally {
    await Promise.all(devices.map(closeDevice));
  }
  if (trial.problems.length > 0) trial.problems.push(`ops: ${trial.log.join('; ')}`);
  return trial.problems;
}

describe('hardening: sync', () => {
  it(
    'random interleavings on 2-3 devices with disconnects and restarts converge to what the rules say',
    async () => {
      const tally = new Tally('sync');
      const count = trials(100, 8);
      const steps = trials(24, 14);
      for (let i = 0; i < count; i++) {
        const random = tally.randomFor(i);
        await tally.trial(`interleaving ${i}`, () => runTrial(random, steps));
      }
      await tally.trial('upload cut mid-body', () => runUploadCutTrial(server.url, tally.randomFor('upload')));
      for (let i = 0; i < trials(6, 2); i++) {
        await tally.trial(`tampered envelopes ${i}`, () => runTamperTrial(server.url, tally.randomFor(`tamper${i}`)));
      }
      tally.report();
    },
    isFull() ? 6 * 3_600_000 : 900_000,
  );
});
