/**
 * Conversation neighbours: in a chat, the turn that answers is often the one right after the turn
 * that matched the question ("Where did you go?" → "To the lake, with my sister."). Memories that
 * share `metadata.session` form a thread in creation order; a strong result lends part of its score
 * to the turns around it (two on each side), which may enter the results through that alone
 * (`via: ['neighbour']`).
 */
import type { MemoryItem } from '../../sdk/types';
import { byScore, joined, withContribution, type Ranked } from './hybrid';

/** The thread a memory belongs to, or undefined (notes, facts, memories without a session). */
export function threadOf(item: MemoryItem): string | undefined {
  const session = item.metadata.session;
  return typeof session === 'string' || typeof session === 'number' ? `${item.kind}:${session}` : undefined;
}

const NONE: readonly string[] = [];

/**
 * Neighbours by thread, rebuilt lazily after the set of memories changes. Each memory's list is
 * worked out once per reach and kept until then (a search asks for hundreds of them).
 */
export class Threads {
  #position: Map<string, { thread: string[]; at: number }> | undefined;
  readonly #lists = new Map<number, Map<string, readonly string[]>>();

  invalidate(): void {
    this.#position = undefined;
    this.#lists.clear();
  }

  /** The memories up to `reach` places before and after `id` in its thread (nearest first, the one before first). */
  neighbours(id: string, items: Map<string, MemoryItem>, reach: number = NEIGHBOUR_DEFAULTS.reach): readonly string[] {
    this.#position ??= build(items);
    let lists = this.#lists.get(reach);
    if (!lists) this.#lists.set(reach, (lists = new Map()));
    let out = lists.get(id);
    if (out === undefined) {
      const place = this.#position.get(id);
      out = place ? around(place.thread, place.at, reach) : NONE;
      lists.set(id, out);
    }
    return out;
  }
}

function around(thread: string[], at: number, reach: number): string[] {
  const out: string[] = [];
  for (let d = 1; d <= reach; d++) {
    if (at - d >= 0) out.push(thread[at - d]!);
    if (at + d < thread.length) out.push(thread[at + d]!);
  }
  return out;
}

function build(items: Map<string, MemoryItem>): Map<string, { thread: string[]; at: number }> {
  const threads = new Map<string, MemoryItem[]>();
  for (const item of items.values()) {
    const thread = threadOf(item);
    if (thread === undefined) continue;
    const list = threads.get(thread);
    if (list) list.push(item);
    else threads.set(thread, [item]);
  }
  const position = new Map<string, { thread: string[]; at: number }>();
  for (const list of threads.values()) {
    const ids = list.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((item) => item.id);
    ids.forEach((id, at) => position.set(id, { thread: ids, at }));
  }
  return position;
}

/**
 * Chosen on the LoCoMo dev split (README): two turns on each side (one: R@10 0.73, two: 0.755–0.771 for weights
 * 0.3–0.5, three or four: 0.747–0.757), lending 0.3 of the score (0.4 before neighbour words, neighbour-terms.ts,
 * lent a turn its neighbours' words as well; with them LOCO-CV chose 0.3).
 */
export const NEIGHBOUR_DEFAULTS = { weight: 0.3, reach: 2 } as const;

export interface SpreadOptions {
  /** Share of a result's score its neighbours receive. */
  weight: number;
  /** Only the best `from` results lend to their neighbours (the search's limit). */
  from: number;
  neighboursOf: (id: string) => readonly string[];
  items: Map<string, MemoryItem>;
  accept: (id: string) => boolean;
}

export function spreadToNeighbours(ranked: Ranked[], options: SpreadOptions): Ranked[] {
  if (options.weight <= 0) return ranked;
  const bonus = new Map<string, number>();
  for (const result of ranked.slice(0, options.from)) {
    for (const id of options.neighboursOf(result.item.id)) {
      if (!options.accept(id)) continue;
      bonus.set(id, Math.max(bonus.get(id) ?? 0, options.weight * result.score));
    }
  }
  if (bonus.size === 0) return ranked;
  const lifted = new Set<string>(); // the neighbours that were candidates already
  const out = ranked.map((result) => {
    const extra = bonus.get(result.item.id);
    if (extra === undefined) return result;
    lifted.add(result.item.id);
    return withContribution(result, 'neighbour', extra, 'neighbour');
  });
  for (const [id, extra] of bonus) {
    const item = options.items.get(id);
    if (lifted.has(id) || !item) continue;
    out.push(withContribution(joined(item, 'neighbour'), 'neighbour', extra));
  }
  return out.sort(byScore);
}
