/**
 * Paths the engine runs after open, loaded when they first run rather than before the first
 * search: retention and decay (the background sweep), the context builder, and the profile's
 * conversations, episodes and structured profile (src/worker/profile-views.ts).
 */
import type { sweep as sweepNow } from '../core/archive/sweeper';
import type { AssembleOptions, ContextViews } from '../core/context/assemble';
import type { ContextBundle } from '../sdk/types';
import type { ProfileViews, ProfileViewsDeps } from './profile-views';

export const sweep: typeof sweepNow = async (...args) => (await import('../core/archive/sweeper')).sweep(...args);

/** `context.build`: the context builder, with the documented token estimate (no model is asked). */
export const assembleContext = async (views: ContextViews, query: string, options: AssembleOptions): Promise<ContextBundle> => {
  const [{ assembleContext }, { estimateTokenizer }] = await Promise.all([
    import('../core/context/assemble'),
    import('../core/context/estimate-tokenizer'),
  ]);
  return assembleContext(views, query, options, estimateTokenizer);
};

/**
 * One value made by code loaded on first use: calls that arrive while it loads share the one load,
 * and a failed load (a chunk that could not be downloaded) is tried again by the next call.
 */
export function loadOnce<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}

export type ProfileViewsModule = Pick<typeof import('./profile-views'), 'createProfileViews'>;

/** The views of one open profile, made on the first call that needs one of them. */
export function lazyProfileViews(
  deps: ProfileViewsDeps,
  load: () => Promise<ProfileViewsModule> = () => import('./profile-views'),
): () => Promise<ProfileViews> {
  return loadOnce(async () => (await load()).createProfileViews(deps));
}
