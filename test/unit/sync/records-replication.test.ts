/**
 * The records beside memories between two devices through a real pouchdb-server (loopback, free
 * port): conversations and turns (concurrent turns interleave by time, the same on both, no
 * duplicates), profile fields (a user's value beats the model's, rejections follow), episodes
 * (actions from both devices), the audit trail and the privacy settings, with offline edits on
 * both sides; the server holds none of the words.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatModel, MemoryClient, MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { serverDump } from '../../contract/sync.contract';
import { useSyncServer } from '../../support/sync-server';
import { startCuttableProxy, type CuttableProxy } from '../../support/cuttable-proxy';

const server = useSyncServer();

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

const turnsOf = async (client: MemoryClient, sessionId: string) =>
  (await client.sessions.turns(sessionId, { includeArchived: true })).map((turn) => `${turn.seq}:${turn.content}`);
const settled = async (client: MemoryClient) => {
  const status = await client.sync.status();
  return status.state === 'idle' && status.pending === 0;
};

describe('sync of conversations, profile, episodes, audit and settings', () => {
  let network: CuttableProxy;
  beforeAll(async () => {
    network = await startCuttableProxy(server());
  });
  afterAll(() => network.close());

  it('converges on both devices after offline changes on each, by the rules, and the server holds no words', async () => {
    const tag = `records${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      const talk = await a.sessions.create('canary-heron-1 trip planning');
      await a.sessions.append(talk.id, { role: 'user', content: 'canary-heron-2: we fly to Lisbon' });
      await a.sessions.append(talk.id, { role: 'assistant', content: 'canary-heron-3: noted, Lisbon' });
      await a.profile.update([{ op: 'set', field: 'name', value: 'canary-heron-4 Sam' }]);
      await a.profile.propose([{ op: 'add', field: 'interests', value: 'canary-heron-5 golf' }]);
      const task = await a.episodes.startTask('canary-heron-6: book the trip');
      await a.privacy.set({ doNotRemember: { rules: ['password'], patterns: [] } });

      await a.sync.enable({ url: network.url });
      await b.sync.join(await a.sync.pairingCode());
      await expect
        .poll(() => turnsOf(b, talk.id))
        .toEqual(['0:canary-heron-2: we fly to Lisbon', '1:canary-heron-3: noted, Lisbon']);
      expect((await b.sessions.get(talk.id))?.title).toBe('canary-heron-1 trip planning');
      await expect.poll(() => b.episodes.get(task.id).then((episode) => episode?.task)).toBe(task.task);
      await expect
        .poll(() => b.profile.get().then(({ profile }) => [profile.name, profile.interests]))
        .toEqual(['canary-heron-4 Sam', ['canary-heron-5 golf']]);
      await expect.poll(() => b.privacy.get().then((privacy) => privacy.doNotRemember.rules)).toEqual(['password']);
      // B's trail holds A's changes of the profile.
      await expect.poll(() => b.profile.history().then((trail) => trail.length)).toBeGreaterThanOrEqual(2);
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);

      // Both offline: each changes the same records.
      network.cut();
      await expect.poll(() => a.sync.status().then((s) => s.state)).toBe('offline');
      await a.sessions.append(talk.id, { role: 'user', content: 'canary-heron-7: from the laptop' });
      await b.sessions.append(talk.id, { role: 'user', content: 'canary-heron-8: from the phone' });
      await a.sessions.append(talk.id, { role: 'assistant', content: 'canary-heron-9: laptop reply' });
      await b.profile.propose([{ op: 'set', field: 'name', value: 'canary-heron-10 Samuel' }]);
      const golf = (await b.profile.get()).entries.find((entry) => entry.value === 'canary-heron-5 golf')!;
      await b.profile.reject(golf.id);
      await a.episodes.recordAction(task.id, 'canary-heron-11 compare flights', 'found three');
      await b.episodes.recordAction(task.id, 'canary-heron-12 pick a hotel', 'booked');
      await b.privacy.set({ retention: { turn: 30 } });
      network.restore();

      const order = [
        '0:canary-heron-2: we fly to Lisbon',
        '1:canary-heron-3: noted, Lisbon',
        '2:canary-heron-7: from the laptop',
        '3:canary-heron-8: from the phone',
        '4:canary-heron-9: laptop reply',
      ];
      await expect.poll(() => turnsOf(a, talk.id)).toEqual(order);
      await expect.poll(() => turnsOf(b, talk.id)).toEqual(order);
      await expect.poll(() => b.sessions.get(talk.id).then((session) => session?.turnCount)).toBe(5);
      const actions = async (client: MemoryClient) =>
        (await client.episodes.get(task.id))?.actions.map((action) => action.action).sort();
      const both = ['canary-heron-11 compare flights', 'canary-heron-12 pick a hotel'];
      await expect.poll(() => actions(a)).toEqual(both);
      await expect.poll(() => actions(b)).toEqual(both);
      // The user's name beats the model's later proposal; the rejection made on B holds on A.
      const profileOf = async (client: MemoryClient) => {
        const { profile, entries } = await client.profile.get();
        return { name: profile.name, interests: profile.interests, golf: entries.find((e) => e.id === golf.id)?.rejected };
      };
      const want = { name: 'canary-heron-4 Sam', interests: [], golf: true };
      await expect.poll(() => profileOf(a)).toEqual(want);
      await expect.poll(() => profileOf(b)).toEqual(want);
      await expect.poll(() => a.privacy.get().then((privacy) => privacy.retention)).toEqual({ turn: 30 });
      expect((await b.privacy.get()).doNotRemember.rules).toEqual(['password']);
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);
      expect(await turnsOf(a, talk.id)).toEqual(order);

      // Deleted on one device, gone on the other, turns with it.
      await b.sessions.delete(talk.id);
      await expect.poll(() => a.sessions.get(talk.id)).toBeUndefined();
      expect(await a.sessions.turns(talk.id, { includeArchived: true })).toEqual([]);

      const dump = await serverDump(server());
      expect(dump).toContain('"box"');
      expect(dump.toLowerCase()).not.toContain('canary');
      expect(dump).not.toContain(talk.id);
      expect(dump).not.toContain(task.id);
      expect(dump).not.toContain('Lisbon');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a rolling summary made on one device reaches the other, with the turns it folded archived there too', async () => {
    const tag = `summary${Date.now()}`;
    /** Answers the summary prompt with a canary; the memory work with nothing to add. */
    const model: ChatModel = {
      id: 'test/summariser',
      async generate(messages) {
        const system = messages[0]?.content ?? '';
        if (system.startsWith('Update the running summary')) return '{"summary": "canary-ibis-1: they planned Lisbon"}';
        if (system.startsWith('Extract')) return '{"facts": []}';
        if (system.includes('structured profile')) return '{"patches": []}';
        return 'Noted.';
      },
    };
    const a = await create({ profileId: `${tag}a`, embedder: false, chatModel: model });
    const b = await create({ profileId: `${tag}b`, embedder: false });
    try {
      const talk = await a.sessions.create('canary-ibis-2');
      for (const content of ['canary-ibis-3 one', 'canary-ibis-4 two', 'canary-ibis-5 three']) {
        await a.sessions.append(talk.id, { role: 'user', content });
      }
      await a.sync.enable({ url: server() });
      await b.sync.join(await a.sync.pairingCode());
      await expect.poll(() => b.sessions.turns(talk.id).then((turns) => turns.length)).toBe(3);
      const summary = await a.sessions.summarise(talk.id, { threshold: 1, batch: 2 });
      expect(summary?.text).toContain('canary-ibis-1');
      await expect.poll(() => b.sessions.summary(talk.id)).toEqual(await a.sessions.summary(talk.id));
      expect((await b.sessions.summary(talk.id))?.text).toBe(summary?.text);
      // The two turns it folded left the working window on B as well.
      await expect
        .poll(() => b.sessions.turns(talk.id).then((turns) => turns.map((turn) => turn.content)))
        .toEqual(['canary-ibis-5 three']);
      await expect.poll(() => settled(a)).toBe(true);
      await expect.poll(() => settled(b)).toBe(true);
      expect((await serverDump(server())).toLowerCase()).not.toContain('canary');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
