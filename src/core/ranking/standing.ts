/**
 * The "recent" and "important" candidate lists of hybrid ranking: the n most recently updated and
 * the n most important (pinned first, then decayed importance) memories that pass a search's
 * filter, whatever the query. One pass over the memories, each list kept sorted and short.
 */
import type { MemoryItem, SearchOptions } from '../../sdk/types';
import { effectiveImportance } from '../archive/policies';

const MOST = 50;

export function standingCandidates(
  items: Iterable<MemoryItem>,
  wanted: SearchOptions['candidates'],
  accept: (id: string) => boolean,
  now: number,
): { recent?: string[]; important?: string[] } {
  const recentCount = Math.min(Math.max(0, Math.floor(wanted?.recent ?? 0)), MOST);
  const importantCount = Math.min(Math.max(0, Math.floor(wanted?.important ?? 0)), MOST);
  if (recentCount === 0 && importantCount === 0) return {};
  const recent: MemoryItem[] = [];
  const important: { item: MemoryItem; weight: number }[] = [];
  for (const item of items) {
    if (!accept(item.id)) continue;
    if (recentCount > 0) keepTop(recent, item, recentCount, (a, b) => b.updatedAt - a.updatedAt);
    if (importantCount > 0) {
      const weight = (item.pinned ? 1 : 0) + effectiveImportance(item, now);
      keepTop(important, { item, weight }, importantCount, (a, b) => b.weight - a.weight);
    }
  }
  return { recent: recent.map((item) => item.id), important: important.map((entry) => entry.item.id) };
}

/** Keeps `list` sorted by `order` and at most `size` long after adding `value`. */
function keepTop<T>(list: T[], value: T, size: number, order: (a: T, b: T) => number): void {
  if (list.length === size && order(value, list[size - 1]!) >= 0) return;
  let at = list.length;
  while (at > 0 && order(value, list[at - 1]!) < 0) at--;
  list.splice(at, 0, value);
  if (list.length > size) list.pop();
}
