import type { Clock } from './ports';

/** The real clock. Tests pass their own {@link Clock} to move time. */
export const systemClock: Clock = { now: () => Date.now() };
