/**
 * Paths the engine runs after open, loaded when they first run rather than before the first
 * search: retention and decay (the background sweep) and the context builder.
 */
import type { sweep as sweepNow } from '../core/archive/sweeper';
import type { assembleContext as assembleNow } from '../core/context/assemble';

export const sweep: typeof sweepNow = async (...args) => (await import('../core/archive/sweeper')).sweep(...args);

export const assembleContext: typeof assembleNow = async (...args) =>
  (await import('../core/context/assemble')).assembleContext(...args);
