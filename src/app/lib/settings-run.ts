/**
 * The one way a Settings section runs an action: its buttons disabled meanwhile, the outcome said
 * aloud (or the failure shown), the status refreshed, and the focus kept (see focus.ts).
 */
import type { AppState } from '../state/app.svelte';
import { keepFocus } from './focus';

export type SettingsRun = (
  action: Parameters<AppState['fail']>[0],
  work: () => Promise<unknown>,
  /** Said when it worked ('' says nothing: the work speaks for itself). */
  done: string,
  /** Where focus goes when its control is gone afterwards. */
  next?: () => HTMLElement | null,
) => Promise<void>;

/** `app()`: the app state (a component's prop, read when the action runs). */
export function settingsRun(app: () => AppState, options: { busy(on: boolean): void; after?(): Promise<void> }): SettingsRun {
  return (action, work, done, next) =>
    keepFocus(async () => {
      options.busy(true);
      try {
        await work();
        if (done) app().say(done);
        await app().refreshStatus();
        await options.after?.();
      } catch (error) {
        app().fail(action, error);
      } finally {
        options.busy(false);
      }
    }, next);
}

/** A finder of the element with this id, for `next`. */
export const byId = (id: string) => () => document.getElementById(id);
