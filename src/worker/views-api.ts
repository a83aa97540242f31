/**
 * The client's calls on the views a first search does not use: sessions, episodes, the profile and
 * context building. Each call loads the views when it is the first to need them (lazy-paths.ts)
 * and answers `LOCKED` while the profile is locked; a host that only adds and searches memories
 * never loads them.
 */
import type { MemoryClient } from '../sdk/client';
import type { MemoryService } from '../core/semantic/memory-service';
import type { LazyAssistant } from './lazy-assistant';
import { assembleContext } from './lazy-paths';
import type { ProfileViews } from './profile-views';

type Guard = <A extends unknown[], R>(fn: (...args: A) => Promise<R> | R) => (...args: A) => Promise<R>;

export interface ViewsApiDeps {
  /** Wraps a call: `CLOSED` or `RELOAD_REQUIRED` when the engine is, errors as `MemoryError`s. */
  guarded: Guard;
  /** Every view of the open profile, loaded on first use; rejects with `LOCKED` while it is locked. */
  unlocked: () => Promise<ProfileViews & { memory: MemoryService }>;
  assistant: LazyAssistant;
  /** A delete leaves a compaction due (see profile-place.ts). */
  markCompactDue: () => void;
}

export function viewsApi({
  guarded,
  unlocked,
  assistant,
  markCompactDue,
}: ViewsApiDeps): Pick<MemoryClient, 'sessions' | 'episodes' | 'profile' | 'context'> {
  /** Calls on one of the views a search does not use (conversations, episodes, the profile). */
  const on =
    <K extends keyof ProfileViews>(name: K) =>
    <A extends unknown[], R>(fn: (view: ProfileViews[K], ...args: A) => Promise<R> | R) =>
      guarded(async (...args: A) => fn((await unlocked())[name], ...args));
  const [talk, act, own] = [on('conversations'), on('episodes'), on('profile')];

  return {
    sessions: {
      create: talk((c, title) => c.create(title)),
      list: talk((c) => c.list()),
      get: talk((c, id) => c.get(id)),
      rename: talk((c, id, title) => c.rename(id, title)),
      delete: talk((c, id) => c.delete(id).finally(markCompactDue)),
      append: talk(async (c, id, turn) => {
        const stored = await c.append(id, turn);
        // After a reply: facts, profile and summary are queued; the caller never waits for them.
        await assistant.afterAppend(stored, () => c.turns(id));
        return stored;
      }),
      summary: talk((c, id) => c.summary(id)),
      summarise: talk(async (c, id, summaryOptions = {}) => {
        const chat = assistant.model();
        return chat ? c.summarise(id, chat, summaryOptions) : undefined;
      }),
      turns: talk((c, id, turnOptions) => c.turns(id, turnOptions)),
    },
    episodes: {
      startTask: act((e, task) => e.startTask(task)),
      recordAction: act((e, id, action, outcome) => e.recordAction(id, action, outcome)),
      completeTask: act((e, id, success, lessons) => e.completeTask(id, success, lessons)),
      get: act((e, id) => e.get(id)),
      list: act((e, status) => e.list(status)),
      similar: act((e, task, limit) => e.similar(task, limit)),
    },
    profile: {
      get: own((p) => p.get()),
      update: own((p, patches) => p.update(patches)),
      propose: own((p, patches, turnId) => p.propose(patches, turnId)),
      pin: own((p, id, pinned) => p.pin(id, pinned)),
      reject: own((p, id) => p.reject(id)),
      history: own((p) => p.history()),
    },
    context: {
      build: guarded(async (query, buildOptions = {}) => assembleContext(await unlocked(), query, buildOptions)),
    },
  };
}
