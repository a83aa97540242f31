/**
 * Episodic memory: a task, the actions taken with their outcomes, and the lessons learned.
 * Each action is stored as it happens, so an open episode resumes after a reload. The episode's
 * text (task, outcome, lessons) is also a memory of kind `episode`, which makes similar past
 * episodes findable with the same dense + lexical ranking as every other memory.
 */
import { MemoryError } from '../../sdk/errors';
import type { Episode, EpisodeMatch } from '../../sdk/types';
import type { Clock, EpisodeStore } from '../ports';
import type { MemoryService } from '../semantic/memory-service';
import { createId } from '../ids';
import { checkText } from '../semantic/validate';

const MAX_ACTIONS = 500;
const MAX_LESSONS = 50;

export class Episodes {
  readonly #store: EpisodeStore;
  readonly #memory: MemoryService;
  readonly #clock: Clock;

  constructor(store: EpisodeStore, memory: MemoryService, clock: Clock) {
    this.#store = store;
    this.#memory = memory;
    this.#clock = clock;
  }

  async startTask(task: string): Promise<Episode> {
    const text = checkText(task, 'task');
    const id = createId();
    const episode: Episode = {
      id,
      task: text,
      status: 'open',
      actions: [],
      lessons: [],
      startedAt: this.#clock.now(),
      memoryId: createId(),
    };
    // Two stores, two transactions: the episode first, and taken back if its memory cannot be
    // written (a full disk), so a failed start leaves nothing half-made. A delete needs no room.
    await this.#store.put(episode);
    try {
      await this.#memory.add(
        { text, kind: 'episode', metadata: { episodeId: id, status: 'open' } },
        undefined,
        'user',
        episode.memoryId,
      );
    } catch (error) {
      await this.#store.delete(id).catch(() => undefined);
      throw error;
    }
    return episode;
  }

  async recordAction(id: string, action: string, outcome: string): Promise<Episode> {
    const episode = await this.#open(id);
    if (episode.actions.length >= MAX_ACTIONS)
      throw new MemoryError('INVALID_ARGUMENT', `An episode keeps at most ${MAX_ACTIONS} actions`);
    const next: Episode = {
      ...episode,
      actions: [
        ...episode.actions,
        { action: checkText(action, 'action'), outcome: checkText(outcome, 'outcome'), at: this.#clock.now() },
      ],
    };
    await this.#store.put(next);
    return next;
  }

  async completeTask(id: string, success: boolean, lessons: string[] = []): Promise<Episode> {
    const episode = await this.#open(id);
    if (!Array.isArray(lessons) || lessons.length > MAX_LESSONS) {
      throw new MemoryError('INVALID_ARGUMENT', `lessons must be an array of at most ${MAX_LESSONS} texts`);
    }
    const next: Episode = {
      ...episode,
      status: success ? 'succeeded' : 'failed',
      lessons: lessons.map((lesson) => checkText(lesson, 'lesson')),
      endedAt: this.#clock.now(),
    };
    // The memory first: if it is refused (a full disk) the episode stays open and the call can be
    // repeated. If the episode is then refused, its memory is put back as it was (best effort);
    // a repeated call rewrites both either way.
    const memory = this.#memory.get(episode.memoryId);
    await this.#memory.update(episode.memoryId, { text: describe(next), metadata: { episodeId: id, status: next.status } });
    try {
      await this.#store.put(next);
    } catch (error) {
      if (memory) await this.#memory.update(memory.id, { text: memory.text, metadata: memory.metadata }).catch(() => undefined);
      throw error;
    }
    return next;
  }

  get(id: string): Promise<Episode | undefined> {
    return this.#store.get(id);
  }

  list(status?: Episode['status']): Promise<Episode[]> {
    return this.#store.list(status);
  }

  /** Past episodes most like `task` (finished ones first among equals), best first. */
  async similar(task: string, limit = 3): Promise<EpisodeMatch[]> {
    const results = await this.#memory.search(task, { kinds: ['episode'], limit: Math.max(1, Math.min(limit, 50)) });
    const matches: EpisodeMatch[] = [];
    for (const result of results) {
      const episodeId = result.item.metadata.episodeId;
      const episode = typeof episodeId === 'string' ? await this.#store.get(episodeId) : undefined;
      if (episode) matches.push({ episode, score: result.score, explanation: result.explanation });
    }
    return matches;
  }

  async #open(id: string): Promise<Episode> {
    const episode = await this.#store.get(id);
    if (!episode) throw new MemoryError('NOT_FOUND', `No episode with id ${id}`);
    if (episode.status !== 'open') throw new MemoryError('INVALID_ARGUMENT', `Episode ${id} is already ${episode.status}`);
    return episode;
  }
}

/** The searchable text of a finished episode. */
export function describe(episode: Episode): string {
  const outcome = episode.status === 'succeeded' ? 'Succeeded' : episode.status === 'failed' ? 'Failed' : 'In progress';
  const lessons = episode.lessons.length > 0 ? ` Lessons: ${episode.lessons.join('; ')}` : '';
  return `${episode.task}. ${outcome} after ${episode.actions.length} step(s).${lessons}`;
}
