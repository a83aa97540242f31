/**
 * Where a memory service's caches and indexes differ from storage (maintenance.verify reads it):
 * `stored` is every readable memory, `vectorIds` the ids with a stored vector of the current model.
 * Returns the ids whose cached item, keyword entry or vector entry is missing, extra or stale, and
 * the count of index entries that belong to no stored memory.
 */
import type { MemoryItem } from '../../sdk/types';
import type { LexicalIndex, VectorIndex } from '../ports';

/** The fields a cached item must share with its stored row. */
const SAME_FIELDS = ['text', 'kind', 'importance', 'pinned', 'updatedAt', 'validTo', 'archivedAt', 'embeddingModel'] as const;

export interface IndexDifferences {
  items: string[];
  lexical: string[];
  vectors: string[];
  strays: number;
}

export function indexDifferences(
  held: { items: ReadonlyMap<string, MemoryItem>; lexical: LexicalIndex; vectors: VectorIndex | undefined },
  stored: MemoryItem[],
  vectorIds: ReadonlySet<string>,
): IndexDifferences {
  const items: string[] = [];
  const lexical: string[] = [];
  const vectors: string[] = [];
  const ids = new Set<string>();
  let inLexical = 0;
  let inVectors = 0;
  for (const item of stored) {
    ids.add(item.id);
    const mine = held.items.get(item.id);
    if (!mine || SAME_FIELDS.some((field) => mine[field] !== item[field])) items.push(item.id);
    if (held.lexical.has(item.id)) inLexical++;
    else lexical.push(item.id);
    const indexed = held.vectors?.has(item.id) ?? false;
    if (indexed) inVectors++;
    if (indexed !== vectorIds.has(item.id)) vectors.push(item.id);
  }
  for (const id of held.items.keys()) if (!ids.has(id)) items.push(id);
  // Entries for ids storage does not hold at all.
  const strays = held.lexical.size - inLexical + ((held.vectors?.size ?? 0) - inVectors);
  return { items, lexical, vectors, strays };
}
