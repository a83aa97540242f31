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
import { MemoryError } from '../../sdk/errors';
import { buildContext, CONTEXT_DEFAULTS } from './context-builder';

export interface ContextViews {
  memory: MemoryService;
  episodes: Episodes;
  profile: ProfileService;
  conversations: Conversations;
}

/**
 * Which layers a context draws on: one pattern alone, or all of them (`combined`, the default).
 * - `full-history`: every turn of the session, summarised ones included, and nothing else; the
 *   bundle's `overflow` says when they no longer fit the turn budget;
 * - `sliding-window`: the rolling summary and the recent turns;
 * - `semantic`: the facts and notes retrieved for the query, and the recent turns;
 * - `profile`: the structured profile, and the recent turns;
 * - `episodic`: similar past tasks with their lessons, and the recent turns.
 */
export const CONTEXT_STRATEGIES = {
  combined: { profile: true, memories: true, experiences: true, summary: true, allTurns: false },
  'full-history': { profile: false, memories: false, experiences: false, summary: false, allTurns: true },
  'sliding-window': { profile: false, memories: false, experiences: false, summary: true, allTurns: false },
  semantic: { profile: false, memories: true, experiences: false, summary: false, allTurns: false },
  profile: { profile: true, memories: false, experiences: false, summary: false, allTurns: false },
  episodic: { profile: false, memories: false, experiences: true, summary: false, allTurns: false },
} as const;

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
  const strategyName = options.strategy ?? 'combined';
  const use = CONTEXT_STRATEGIES[strategyName];
  if (!use) throw new MemoryError('INVALID_ARGUMENT', `Unknown context strategy ${String(strategyName)}`);
  const [profile, memories, experiences, turns, summary] = await Promise.all([
    use.profile ? views.profile.get().then((got) => got.profile) : undefined,
    use.memories
      ? views.memory.search(query, {
          limit: options.limit ?? CONTEXT_DEFAULTS.memoryLimit,
          kinds: options.kinds ?? ['note', 'fact', 'turn', 'preference', 'summary'],
          ...(options.asOf !== undefined ? { asOf: options.asOf } : {}),
          // What was said last and what matters most compete for a place even when the words differ.
          candidates: { recent: 3, important: 3 },
        })
      : [],
    use.experiences ? views.episodes.similar(query, 3) : [],
    sessionId ? views.conversations.turns(sessionId, { includeArchived: use.allTurns }) : Promise.resolve([]),
    sessionId && use.summary ? views.conversations.summary(sessionId) : Promise.resolve(undefined),
  ]);
  const excluded = new Set(options.excludeTurnIds ?? []);
  // A turn of this very session is already in the recent turns: retrieving it again is noise.
  const inWindow = new Set(turns.map((turn) => turn.content));
  const bundle = buildContext(
    {
      ...(profile ? { profile } : {}),
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
      ...(options.excerptFrom !== undefined ? { excerptFrom: options.excerptFrom } : {}),
      // The whole conversation gets the memory budget too: it is the only section.
      ...(use.allTurns && options.turnBudget === undefined
        ? { turnBudget: (options.budget ?? CONTEXT_DEFAULTS.budget) + CONTEXT_DEFAULTS.turnBudget }
        : {}),
    },
  );
  // Using a memory refreshes its decay; this write never delays the answer.
  void views.memory.touch(bundle.memoriesUsed).catch(() => undefined);
  const used = new Set(bundle.memoriesUsed);
  return { ...bundle, retrieved: memories.filter((result) => used.has(result.item.id)) };
}
