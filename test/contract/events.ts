/**
 * Waits on what a client tells its host (its events and its status), for the contract suites:
 * a test waits for the state it needs, never for a fixed time.
 */
import type { MemoryClient, MemoryEvent } from '../../src/sdk/index';

/** The first event from now on that `match` accepts. Subscribe before the call that causes it. */
export function nextEvent(client: MemoryClient, match: (event: MemoryEvent) => boolean): Promise<MemoryEvent> {
  return new Promise((resolve) => {
    const stop = client.subscribe((event) => {
      if (!match(event)) return;
      stop();
      resolve(event);
    });
  });
}

/**
 * Resolves once no re-embedding runs (search is hybrid again): at once when none runs, otherwise
 * at the `reembedding` event that says one finished after which the status shows none (a job can
 * start again right away when memories arrived meanwhile). The status is asked after subscribing,
 * so a job that ends in between is not missed.
 */
export function reembedded(client: MemoryClient): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () =>
      client.status().then((status) => {
        if (done || status.reembedding) return;
        done = true;
        stop();
        resolve();
      }, reject);
    const stop = client.subscribe((event) => {
      if (event.type === 'reembedding' && event.finished) void check();
    });
    void check();
  });
}
