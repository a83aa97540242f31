/**
 * `createMemoryClient(options)`: the host app's entry. The same {@link MemoryClient} whether the
 * SDK runs in a dedicated Worker (default in browsers) or in the calling thread.
 */
import type { MemoryClient } from '../sdk/client';
import type { MemoryClientOptions } from '../sdk/options';

export async function createMemoryClient(options: MemoryClientOptions = {}): Promise<MemoryClient> {
  const inWorker = options.inWorker ?? typeof Worker !== 'undefined';
  if (inWorker) {
    const { createWorkerClient } = await import('./worker-client');
    return createWorkerClient(options);
  }
  const { createMemoryEngine } = await import('../worker/engine');
  return createMemoryEngine(options, 'in-process');
}
