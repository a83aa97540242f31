/**
 * The "one runner per store" rule inside one JavaScript realm: a first-come, first-served lock
 * whose waiters can give up through an AbortSignal. Stores use it where Web Locks are missing
 * (Node, old browsers) and for in-memory stores; across tabs the Dexie store uses Web Locks.
 */
import { MemoryError } from '../../sdk/errors';
import type { ReleaseRunner } from './outbox-types';

interface Waiter {
  grant: () => void;
}

export class LocalRunnerLock {
  #held = false;
  readonly #waiters: Waiter[] = [];

  /** True while some caller holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Resolves with the release function once the lock is ours; rejects with `ABORTED` if `signal` fires first. */
  acquire(signal: AbortSignal): Promise<ReleaseRunner> {
    if (signal.aborted) return Promise.reject(aborted());
    return new Promise<ReleaseRunner>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          this.#held = true;
          resolve(this.#releaser());
        },
      };
      const onAbort = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      if (!this.#held) this.#next();
    });
  }

  #releaser(): ReleaseRunner {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held = false;
      this.#next();
    };
  }

  #next(): void {
    this.#waiters.shift()?.grant();
  }
}

/** One lock per name in this realm (e.g. per database name), created on first use. */
export function localRunnerLock(name: string): LocalRunnerLock {
  let lock = namedLocks.get(name);
  if (!lock) {
    lock = new LocalRunnerLock();
    namedLocks.set(name, lock);
  }
  return lock;
}

const namedLocks = new Map<string, LocalRunnerLock>();

function aborted(): MemoryError {
  return new MemoryError('ABORTED', 'Stopped before the outbox runner role was free');
}
