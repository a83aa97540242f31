import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIdle } from '../../../src/app/lib/idle-lock';

describe('auto-lock after idle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (state: { ms: number; armed: boolean; busy: boolean }) => {
    const target = new EventTarget();
    const lock = vi.fn();
    const watcher = watchIdle(target, {
      idleMs: () => state.ms,
      armed: () => state.armed,
      busy: () => state.busy,
      lock,
      now: () => Date.now(),
    });
    return { target, lock, watcher };
  };

  it('locks once the chosen time passes without activity, and any key or pointer starts it again', () => {
    const { target, lock, watcher } = setup({ ms: 60_000, armed: true, busy: false });
    vi.advanceTimersByTime(59_000);
    target.dispatchEvent(new Event('keydown'));
    vi.advanceTimersByTime(59_000);
    target.dispatchEvent(new Event('pointermove'));
    vi.advanceTimersByTime(59_000);
    expect(lock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(lock).toHaveBeenCalledTimes(1);
    watcher.stop();
  });

  it('never locks when set to never, an open plain profile, or while a reply is being written', () => {
    const state = { ms: 0, armed: true, busy: false };
    const { lock, watcher } = setup(state);
    vi.advanceTimersByTime(10 * 60 * 60_000);
    expect(lock).not.toHaveBeenCalled();

    state.ms = 60_000;
    state.armed = false;
    watcher.restart();
    vi.advanceTimersByTime(5 * 60_000);
    expect(lock).not.toHaveBeenCalled();

    state.armed = true;
    state.busy = true;
    watcher.restart();
    vi.advanceTimersByTime(5 * 60_000);
    expect(lock).not.toHaveBeenCalled();
    // The reply ended: the full time counts from then.
    state.busy = false;
    vi.advanceTimersByTime(59_000);
    expect(lock).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(lock).toHaveBeenCalledTimes(1);
    watcher.stop();
  });

  it('stops listening when stopped', () => {
    const { lock, watcher } = setup({ ms: 1_000, armed: true, busy: false });
    watcher.stop();
    vi.advanceTimersByTime(10_000);
    expect(lock).not.toHaveBeenCalled();
  });
});
