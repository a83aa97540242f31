/**
 * One chunk for what an entry loads at start. Left to itself the bundler cuts the memory worker's
 * start path into a dozen and more chunks (every module a lazy chunk also imports becomes a common
 * chunk of its own), and each pays its own gzip window and import and export glue: ~4 KB gzip of
 * the worker's start. These code-splitting groups put every module the entry imports statically
 * (directly or not) into one chunk beside the entry's own, except those another entry also loads at start: those go into
 * one chunk per set of entries that load them (as the bundler would), taken first, so that no other
 * entry loads the worker's code. Lazy chunks import what they share with the start from these.
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
 * The groups for rolldown's `output.codeSplitting.groups`. `entry` and `others` (the build's other
 * entries, by name) are paths from the project's root. In a bundle without `entry` (another
 * worker's) they group nothing.
 */
export function startChunk(name: string, entry: string, others: Record<string, string> = {}, root = process.cwd()) {
  const entryId = resolve(root, entry);
  const otherIds = Object.entries(others).map(([other, path]) => [other, resolve(root, path)] as const);
  /** Per chunking pass (the graph's module records are reused within one): the chunk of each module. */
  const passes = new WeakMap<object, Map<string, string>>();
  const chunkOf = (id: string, graph: ModuleGraph) => {
    const info = graph.getModuleInfo(entryId);
    if (!info) return undefined;
    let chunks = passes.get(info);
    if (!chunks) {
      const closures = otherIds.map(([other, otherId]) => [other, staticClosure(graph, otherId)] as const);
      chunks = new Map();
      // The entry stays its own chunk and imports this one: a package's `sideEffects` names the
      // entry file, and a host's bundler drops a side-effect-free chunk that only a facade imports.
      for (const member of staticClosure(graph, entryId)) {
        if (member === entryId) continue;
        const sharers = closures.filter(([, closure]) => closure.has(member)).map(([other]) => other);
        chunks.set(member, sharers.length > 0 ? `${name}-${sharers.join('-')}` : name);
      }
      passes.set(info, chunks);
    }
    return chunks.get(id);
  };
  const pick = (shared: boolean) => (id: string, graph: ModuleGraph) => {
    const chunk = chunkOf(id, graph);
    return chunk !== undefined && (chunk !== name) === shared ? chunk : null;
  };
  return [
    { debugName: `${name} (shared)`, priority: 2, name: pick(true) },
    { debugName: name, priority: 1, name: pick(false) },
  ];
}
