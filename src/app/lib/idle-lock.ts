/**
 * Auto-lock after idle: the page watches for a person's activity (keys, pointer, wheel, touch)
 * and, once none came for the chosen time, calls `lock`. Activity only stamps a time; one timer
 * checks it, so a moving pointer costs nothing. Work the person waits for (a reply streaming)
 * counts as activity.
 */

/** The choices offered, in minutes; 0 never locks. */
export const AUTO_LOCK_CHOICES = [0, 1, 5, 15, 30, 60] as const;
/** For an encrypted profile: long enough not to interrupt reading, short enough for a desk left alone. */
export const DEFAULT_AUTO_LOCK_MINUTES = 15;

const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart', 'focusin'] as const;

export interface IdleLockOptions {
  /** Milliseconds without activity before `lock`; 0 or less never locks. Read at each check. */
  idleMs: () => number;
  /** Whether the profile can be locked now (encrypted and open); checked when the time is up. */
  armed: () => boolean;
  lock: () => unknown;
  /** Work the person is waiting for: the time starts again when it ends. */
  busy?: () => boolean;
  now?: () => number;
}

/** Starts watching `target` (the window); returns a function that stops, and `activity` to call by hand. */
export function watchIdle(
  target: EventTarget,
  options: IdleLockOptions,
): { stop: () => void; activity: () => void; restart: () => void } {
  const now = options.now ?? Date.now;
  let last = now();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = options.idleMs() > 0 ? setTimeout(check, Math.max(delay, 0)) : undefined;
  };
  function check() {
    const limit = options.idleMs();
    if (limit <= 0) return;
    if (options.busy?.()) last = now();
    const left = last + limit - now();
    if (left > 0) return schedule(left);
    last = now();
    if (options.armed()) void Promise.resolve(options.lock()).catch(() => undefined);
    schedule(limit);
  }
  const activity = () => {
    last = now();
  };
  for (const type of ACTIVITY) target.addEventListener(type, activity, { passive: true, capture: true });
  schedule(options.idleMs());
  return {
    activity,
    /** The chosen time changed: counting starts again from now. */
    restart: () => {
      last = now();
      schedule(options.idleMs());
    },
    stop: () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) target.removeEventListener(type, activity, { capture: true });
    },
  };
}
