/** Types of bench/in-production.mjs (plain Node, run by bench/run.mjs). */
export function inProduction<T>(run: () => Promise<T> | T): Promise<T>;
