/**
 * One chunk for what a worker entry loads at start. Left to itself the bundler cuts the memory
 * worker's start path into a dozen and more chunks (every module a lazy chunk also imports becomes a
 * common chunk of its own), and each pays its own gzip window and import and export glue: ~4 KB gzip
 * of the worker's start. This code-splitting group puts every module the entry imports statically
 * (directly or not) into one chunk beside the entry's own; lazy chunks import what they share with
 * the start from it. For a bundle with a single entry (a worker's): with several entries the
 * group would also take the modules they share with this one (the bundler adds every captured
 * module's dependencies), and the other entries would load it; the package build
 * (vite.lib.config.ts) therefore keeps the bundler's own chunks.
 */
import { resolve } from 'node:path';

/** What rolldown's `codeSplitting.groups` name function is given (the fields used here). */
interface ModuleGraph {
  getModuleInfo(id: string): { importedIds: readonly string[] } | null;
}

/** Every module `entry` loads before it runs: its static imports, followed to the end. */
function staticClosure(graph: ModuleGraph, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = [entry];
  for (let id = visit.pop(); id !== undefined; id = visit.pop()) {
    if (seen.has(id)) continue;
    const info = graph.getModuleInfo(id);
    if (!info) continue;
    seen.add(id);
    visit.push(...info.importedIds);
  }
  return seen;
}

/**
 * The group for rolldown's `output.codeSplitting.groups`; `entry` is a path from the project's
 * root. In a bundle without `entry` (another worker's) it groups nothing.
 */
export function startChunk(name: string, entry: string, root = process.cwd()) {
  const entryId = resolve(root, entry);
  /** Per chunking pass (the graph's module records are reused within one). */
  const passes = new WeakMap<object, Set<string>>();
  return {
    debugName: name,
    name: (id: string, graph: ModuleGraph): string | null => {
      const info = graph.getModuleInfo(entryId);
      if (!info) return null;
      let members = passes.get(info);
      if (!members) {
        members = staticClosure(graph, entryId);
        // The entry stays its own chunk: a package's `sideEffects` names entry files, and a host's
        // bundler drops a side-effect-free chunk that only a facade imports.
        members.delete(entryId);
        passes.set(info, members);
      }
      return members.has(id) ? name : null;
    },
  };
}
