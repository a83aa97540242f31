/** Types of scripts/static-closure.mjs (plain Node, run by scripts/pack-sdk.mjs and bench/run.mjs). */
export function staticClosure(dir: string, file: string, seen?: Set<string>): Set<string>;
export function gzipTotal(dir: string, files: Iterable<string>): number;
