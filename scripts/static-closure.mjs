/**
 * What a browser downloads before a script runs: the file and every chunk it imports statically,
 * transitively (dynamic `import()`s are left out: they load when their path runs). Used by
 * `npm run pack:sdk` and the bundle suite of `npm run bench` so both count entries the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[^'"();]*?from\s*)?["']\.\/([^"']+)["']/g;

/** The file names (relative to `dir`) of `file` and of the chunks it imports statically. */
export function staticClosure(dir, file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  for (const [, dep] of code.matchAll(STATIC_IMPORT)) staticClosure(dir, dep, seen);
  return seen;
}

/** The sum of the files' gzip sizes, each gzipped on its own as a server sends it. */
export function gzipTotal(dir, files) {
  return [...files].reduce((sum, file) => sum + gzipSync(readFileSync(join(dir, file))).length, 0);
}
