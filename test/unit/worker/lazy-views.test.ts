/**
 * What a first search does not use loads on first use (src/worker/lazy-paths.ts,
 * src/worker/lazy-assistant.ts): conversations, episodes and the profile, and the assistant with its
 * outbox. Through the real engine and the real modules, counting the loads: a profile that only adds
 * and searches loads neither; the first calls of each path work, once, when they race; a locked
 * profile answers LOCKED without loading and works after unlock; a lock while the views load wins.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import type { ProfileViewsModule } from '../../../src/worker/lazy-paths';
import type { AssistantModules } from '../../../src/worker/lazy-assistant';

const PASSPHRASE = 'correct horse battery';

/** The engine over a fresh or given profile, with loaders that count (and can hold back) the real modules. */
async function engineWithLoads(options: MemoryClientOptions = {}) {
  const loads = { views: 0, assistant: 0 };
  let hold: Promise<void> | undefined;
  let heldAt: (() => void) | undefined;
  const held = new Promise<void>((resolve) => (heldAt = resolve));
  const engine = await createMemoryEngine(
    { profileId: `lazyviews${Date.now()}${Math.random().toString(36).slice(2, 6)}`, embedder: false, ...options },
    'in-process',
    {
      load: {
        views: async (): Promise<ProfileViewsModule> => {
          loads.views++;
          heldAt?.();
          await hold;
          return import('../../../src/worker/profile-views');
        },
        assistant: async (): Promise<AssistantModules> => {
          loads.assistant++;
          const [control, outbox] = await Promise.all([
            import('../../../src/worker/assistant-control'),
            import('../../../src/storage/outbox-repository'),
          ]);
          return { control, outbox };
        },
      },
    },
  );
  /** Holds the next views load back until the returned function is called; `held` resolves once it started. */
  const holdViews = () => {
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    return { release, started: held };
  };
  return { engine, loads, holdViews };
}

describe('views and assistant loaded on first use', () => {
  it('adds and searches without loading either', async () => {
    const { engine, loads } = await engineWithLoads();
    try {
      await engine.memories.add('The spare key is under the blue flower pot');
      const found = await engine.memories.search('spare key');
      expect(found.map((hit) => hit.item.text)).toEqual(['The spare key is under the blue flower pot']);
      expect((await engine.status()).memories).toBe(1);
      expect(await engine.chat.model()).toBeUndefined();
      expect(loads).toEqual({ views: 0, assistant: 0 });
    } finally {
      await engine.close();
    }
  });

  it('answers the first calls of every path when they race, loading each module once', async () => {
    const { engine, loads } = await engineWithLoads();
    try {
      await engine.memories.add('Dana prefers window seats on long flights');
      const [session, profile, episode, summary, bundle] = await Promise.all([
        engine.sessions.create('Trip planning'),
        engine.profile.update([{ op: 'set', field: 'name', value: 'Dana' }]),
        engine.episodes.startTask('book the flights'),
        engine.outbox.summary(),
        engine.context.build('which seat does Dana like?'),
      ]);
      expect(loads).toEqual({ views: 1, assistant: 1 });
      expect(await engine.sessions.list()).toEqual([session]);
      expect(profile.applied).toHaveLength(1);
      expect((await engine.profile.get()).profile.name).toBe('Dana');
      expect((await engine.episodes.get(episode.id))?.task).toBe('book the flights');
      expect(summary).toMatchObject({ pending: 0, failed: 0 });
      expect(bundle.memoriesUsed.length).toBe(1);
      expect(bundle.prompt).toContain('Dana');
      // An exchange stored by the host queues its memory work in the outbox started with it.
      await engine.sessions.append(session.id, { role: 'user', content: 'I always take the aisle now, actually.' });
      await engine.sessions.append(session.id, { role: 'assistant', content: 'Noted: the aisle.' });
      await engine.outbox.drain();
      expect((await engine.memories.search('aisle')).length).toBeGreaterThan(0);
      expect(loads).toEqual({ views: 1, assistant: 1 });
    } finally {
      await engine.close();
    }
  });

  it('answers LOCKED in a locked profile without loading, and works after unlock', async () => {
    const first = await engineWithLoads({ encryption: { passphrase: PASSPHRASE } });
    const profileId = (await first.engine.status()).profileId;
    await first.engine.sessions.create('sealed conversation');
    await first.engine.close();

    const { engine, loads } = await engineWithLoads({ profileId });
    try {
      for (const call of [
        () => engine.sessions.list(),
        () => engine.profile.get(),
        () => engine.episodes.list(),
        () => engine.context.build('anything'),
        () => engine.outbox.summary(),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: 'LOCKED' });
      }
      expect(loads.views).toBe(0);
      await engine.encryption.unlock(PASSPHRASE);
      const [sessions, summary] = await Promise.all([engine.sessions.list(), engine.outbox.summary(), engine.profile.get()]);
      expect(sessions.map((session) => session.title)).toEqual(['sealed conversation']);
      expect(summary.failed).toBe(0);
      expect(loads.views).toBe(1);
    } finally {
      await engine.close();
    }
  });

  it('answers LOCKED when the profile locks while its views load, and unsealed views after unlock', async () => {
    const { engine, loads, holdViews } = await engineWithLoads({ encryption: { passphrase: PASSPHRASE } });
    try {
      const { release, started } = holdViews();
      const listing = engine.sessions.list();
      await started;
      await engine.encryption.lock();
      release();
      await expect(listing).rejects.toMatchObject({ code: 'LOCKED' });
      await engine.encryption.unlock(PASSPHRASE);
      await engine.sessions.create('after the unlock');
      expect((await engine.sessions.list()).map((session) => session.title)).toEqual(['after the unlock']);
      expect(loads.views).toBe(2);
    } finally {
      await engine.close();
    }
  });
});
