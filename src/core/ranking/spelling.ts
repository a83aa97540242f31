/**
 * Misspelt query words: a query word no memory holds ("educaton", "fesetival") is searched as the stored
 * word closest to it in spelling, one edit away (two for words of eight letters or more; an edit inserts,
 * deletes, replaces or swaps two neighbouring letters), the most frequent of equally close ones. Words of
 * fewer than five letters are left alone (too many short words are one edit apart). The candidates come from the
 * keyword index's own term tree (LexicalIndex.closeTo, else near), so a check walks only the branches within reach of the word
 * and nothing is analysed or counted beforehand; memories still queued for indexing are not among them.
 */
import type { LexicalIndex } from '../ports';

const LETTERS = /^\p{L}{5,}$/u;

/** Whether the spelling check looks at a query term at all (five letters or more). */
export const mayBeMisspelt = (term: string): boolean => LETTERS.test(term);

/** Edit distance with neighbour swaps (optimal string alignment), or `limit + 1` once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, before[j - 2]! + 1);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    [before, previous] = [previous, row];
  }
  return previous[b.length]!;
}

/**
 * The indexed terms the query's unknown words most likely meant (search them with LexicalIndex.searchTerms).
 * `closeTo` (the index's walk within reach of the limit) when given; otherwise `near` one edit further, filtered.
 */
export function correctedTerms(
  query: readonly { term: string }[],
  near: NonNullable<LexicalIndex['near']>,
  closeTo?: LexicalIndex['closeTo'],
): string[] {
  const out: string[] = [];
  for (const { term } of query) {
    if (!mayBeMisspelt(term)) continue;
    // A memory holds it: asked first on its own, a walk of the tree's one path, not of every branch within reach.
    if (near(term, 0).length > 0) continue;
    const limit = term.length >= 8 ? 2 : 1;
    // The tree counts a swap of neighbouring letters as two edits: ask one further, then count swaps as one.
    const close = closeTo
      ? closeTo(term, limit)
      : near(term, limit + 1).map((found) => ({ ...found, distance: editDistance(term, found.term, limit) }));
    let best: [string, number, number] | undefined; // term, distance, frequency
    for (const { term: candidate, frequency, distance } of close) {
      if (distance > limit) continue;
      if (!best || distance < best[1] || (distance === best[1] && frequency > best[2])) best = [candidate, distance, frequency];
    }
    if (best && !out.includes(best[0])) out.push(best[0]);
  }
  return out;
}
