/** Store decorators: every write waits for the profile's write lock, so one tab writes at a time. */
import type { ConversationStore, EpisodeStore, MemoryStore, ProfileStore } from '../core/ports';
import type { TabCoordinator } from '../storage/tabs';

/** Conversation writes take the same lock as memory writes. */
export function lockedConversationWrites(store: ConversationStore, tabs: TabCoordinator): ConversationStore {
  return {
    ...store,
    putSession: (session) => tabs.withWriteLock(() => store.putSession(session)),
    deleteSession: (id) => tabs.withWriteLock(() => store.deleteSession(id)),
    appendTurn: (turn, session) => tabs.withWriteLock(() => store.appendTurn(turn, session)),
    putSummary: (summary, ids) => tabs.withWriteLock(() => store.putSummary(summary, ids)),
    archiveTurns: (ids, at) => tabs.withWriteLock(() => store.archiveTurns(ids, at)),
  };
}

/** Every write of the store waits for the profile's write lock (one writer across tabs). */
export function lockedWrites(store: MemoryStore, tabs: TabCoordinator): MemoryStore {
  return {
    ...store,
    putMany: (items, vectors, audit) => tabs.withWriteLock(() => store.putMany(items, vectors, audit)),
    deleteMany: (ids, audit) => tabs.withWriteLock(() => store.deleteMany(ids, audit)),
  };
}

/** Episode writes take the same lock. */
export function lockedEpisodeWrites(store: EpisodeStore, tabs: TabCoordinator): EpisodeStore {
  return {
    ...store,
    put: (episode) => tabs.withWriteLock(() => store.put(episode)),
    delete: (id) => tabs.withWriteLock(() => store.delete(id)),
  };
}

/** Profile writes take the same lock. */
export function lockedProfileWrites(store: ProfileStore, tabs: TabCoordinator): ProfileStore {
  return { ...store, write: (put, remove, audit) => tabs.withWriteLock(() => store.write(put, remove, audit)) };
}

/** The lock, telling `written` after each write under it committed (sync compares and sends what changed). */
export function tellingWrites(tabs: TabCoordinator, written: () => void): TabCoordinator {
  return {
    ...tabs,
    withWriteLock: async (work) => {
      const result = await tabs.withWriteLock(work);
      written();
      return result;
    },
  };
}
