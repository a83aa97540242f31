/**
 * Keeps keyboard focus somewhere sensible across an action that changes the page. A button that
 * turns disabled while it works, or a control that disappears with the part of the page it was
 * in, drops the focus to the page body: a keyboard user then starts again from the top. After
 * the action, focus goes back to the control when it is still there and usable, else to
 * `fallback()` (the next thing to do). Focus the person moved elsewhere meanwhile is left alone.
 */
import { tick } from 'svelte';

const lost = () => !document.activeElement || document.activeElement === document.body;

export async function keepFocus<T>(work: () => Promise<T> | T, fallback?: () => HTMLElement | null | undefined): Promise<T> {
  const from = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  try {
    return await work();
  } finally {
    await tick();
    if (lost()) {
      const usable = from?.isConnected && !from.matches(':disabled') && from !== document.body;
      (usable ? from : fallback?.())?.focus();
    }
  }
}

/** Focuses `target()` once the page has updated, if the focus was lost meanwhile (a view replaced another). */
export async function refocus(target: () => HTMLElement | null | undefined): Promise<void> {
  await tick();
  if (lost()) target()?.focus();
}
