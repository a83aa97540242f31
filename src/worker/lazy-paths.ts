/**
 * Paths the engine runs after open, loaded when they first run rather than before the first
 * search: retention and decay (the background sweep), the context builder, the profile's
 * conversations, episodes and structured profile (src/worker/profile-views.ts), and the controls
 * of whole-profile work (rewrite, export and import, wipe, verify).
 */
import type { sweep as sweepNow } from '../core/archive/sweeper';
import type { AssembleOptions, ContextViews } from '../core/context/assemble';
import type { ContextBundle } from '../sdk/types';
import type { ProfileViews, ProfileViewsDeps } from './profile-views';
import type { Rewriter, RewriteDeps } from './profile-rewrite';
import type { DataControlDeps, createDataControl } from './data-control';
import type { MaintenanceDeps, createMaintenance } from './maintenance-control';

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

/** Rewrites of the whole profile (encryption, wipe, compaction), loaded with the first. */
export function lazyRewriter(deps: RewriteDeps): Rewriter {
  const made = loadOnce(async () => (await import('./profile-rewrite')).createRewriter(deps));
  return async (plan) => (await made())(plan);
}

/** `data.*`: export, import and wipe, loaded with the first such call. */
export function lazyData(deps: DataControlDeps): ReturnType<typeof createDataControl> {
  const made = loadOnce(async () => (await import('./data-control')).createDataControl(deps));
  return {
    export: async (options) => (await made()).export(options),
    import: async (text, options) => (await made()).import(text, options),
    wipe: async () => (await made()).wipe(),
  };
}

/** `maintenance.verify`, loaded with its first call. */
export function lazyMaintenance(deps: MaintenanceDeps): ReturnType<typeof createMaintenance> {
  const made = loadOnce(async () => (await import('./maintenance-control')).createMaintenance(deps));
  return { verify: async (service, options) => (await made()).verify(service, options) };
}
