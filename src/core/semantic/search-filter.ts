/** Which memories a search may return, from its options (validated here). */
import type { MemoryItem, SearchOptions } from '../../sdk/types';
import * as check from './validate';

/**
 * By default the memories true now (a superseded memory has a `validTo` in the past) and not
 * archived; with `asOf`, those true at that instant.
 */
export function searchFilter(
  items: ReadonlyMap<string, MemoryItem>,
  options: SearchOptions,
  now: number,
): (id: string) => boolean {
  const kinds = options.kinds?.map(check.checkKind);
  const explicit = options.asOf !== undefined;
  const at = explicit ? check.checkTime(options.asOf, 'asOf') : now;
  return (id) => {
    const item = items.get(id);
    if (!item) return false;
    if (kinds && !kinds.includes(item.kind)) return false;
    if (item.archivedAt !== undefined && !options.includeArchived) return false;
    if (item.validTo !== undefined && item.validTo <= at) return false;
    return !explicit || item.validFrom <= at;
  };
}
