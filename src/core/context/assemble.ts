/**
 * One turn's context from every layer: profile, relevant memories, similar past tasks, the rolling
 * summary and the recent turns are read in parallel, then packed by the budgeted builder. Used by
 * `context.build` (the host sends the prompt where it likes) and by `chat.send`.
 */
import type { ContextBuildOptions } from '../../sdk/client';
import type { ContextBundle } from '../../sdk/types';
import type { Tokenizer } from '../ports';
import type { MemoryService } from '../semantic/memory-service';
import type { Episodes } from '../episodes/episodes';
import type { ProfileService } from '../profile/profile-service';
import type { Conversations } from '../working/conversations';
import { buildContext } from './context-builder';

export interface ContextViews {
  memory: MemoryService;
  episodes: Episodes;
  profile: ProfileService;
  conversations: Conversations;
}

export interface AssembleOptions extends ContextBuildOptions {
  /** Leave these turns out of the recent turns (the message being answered is the query already). */
  excludeTurnIds?: string[];
}

export async function assembleContext(
  views: ContextViews,
  query: string,
  options: AssembleOptions,
  tokenizer: Tokenizer,
): Promise<ContextBundle> {
  const { sessionId } = options;
  const [{ profile }, memories, experiences, turns, summary] = await Promise.all([
    views.profile.get(),
    views.memory.search(query, { limit: options.limit ?? 8, kinds: ['note', 'fact', 'turn', 'preference', 'summary'] }),
    views.episodes.similar(query, 3),
    sessionId ? views.conversations.turns(sessionId) : Promise.resolve([]),
    sessionId ? views.conversations.summary(sessionId) : Promise.resolve(undefined),
  ]);
  const excluded = new Set(options.excludeTurnIds ?? []);
  // A turn of this very session is already in the recent turns: retrieving it again is noise.
  const inWindow = new Set(turns.map((turn) => turn.content));
  const bundle = buildContext(
    {
      profile,
      memories: memories.filter((result) => !(result.item.kind === 'turn' && inWindow.has(result.item.text))),
      experiences: experiences.map((match) => match.episode),
      recentTurns: turns.filter((turn) => !excluded.has(turn.id)),
      query,
      ...(summary ? { summary: summary.text } : {}),
    },
    {
      tokenizer,
      ...(options.budget !== undefined ? { budget: options.budget } : {}),
      ...(options.turnBudget !== undefined ? { turnBudget: options.turnBudget } : {}),
    },
  );
  // Using a memory refreshes its decay; this write never delays the answer.
  void views.memory.touch(bundle.memoriesUsed).catch(() => undefined);
  return bundle;
}
