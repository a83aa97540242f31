/**
 * The stored terms a misspelt query word may have meant, read from MiniSearch's term tree (a radix tree
 * of Maps, its leaves under the key ''), walked depth first in the tree's own order. A swap of two
 * neighbouring letters counts as one edit (optimal string alignment, spelling.ts's editDistance) and as
 * two in Levenshtein's count, which must stay within `limit + 1`: the terms MiniSearch's `fuzzyGet(term,
 * limit + 1)` finds whose swap-aware distance is within `limit`, in the order it finds them.
 *
 * The difference is the walk: `fuzzyGet` follows every branch within `limit + 1` Levenshtein edits (for a
 * word of eight letters or more, three: a good part of the tree), this one only branches within `limit`
 * swap-aware edits, and checks the Levenshtein count only for the few terms it finds. test/unit/storage/spelling-walk.test.ts checks it against `fuzzyGet` and editDistance.
 */

/** A node of MiniSearch's term tree: a child per key (a run of letters), the term's postings under ''. */
export type TermNode = Map<string, TermNode | unknown>;

const LEAF = '';

export interface CloseTerm<T> {
  term: string;
  /** Edits to reach it, a swap of neighbouring letters counted as one. */
  distance: number;
  /** What the tree holds for it (MiniSearch: the postings by field). */
  value: T;
}

export function closeTerms<T>(tree: TermNode, query: string, limit: number): CloseTerm<T>[] {
  const n = query.length + 1;
  // A term longer than the query by more than `limit` is further than `limit` edits.
  const rows = n + limit;
  // Row i holds the distances of the walked term's first i letters to each prefix of the query. A cell
  // more than `limit` columns off the diagonal is past the limit whatever the letters: it keeps `limit + 1`.
  const osa = new Uint8Array(rows * n).fill(limit + 1);
  for (let j = 0; j < n && j <= limit; j++) osa[j] = j;
  for (let i = 1; i < rows && i <= limit; i++) osa[i * n] = i;
  const walk: Walk<T> = { query, limit, n, rows, osa, letters: new Array<string>(rows).fill(''), out: [] };
  visit(walk, tree, 0, '');
  return walk.out;
}

interface Walk<T> {
  query: string;
  limit: number;
  n: number;
  rows: number;
  osa: Uint8Array;
  /** The walked term's letters by row (1-based). */
  letters: string[];
  out: CloseTerm<T>[];
}

function visit<T>(walk: Walk<T>, node: TermNode, depth: number, prefix: string): void {
  const { query, limit, n, osa, letters } = walk;
  const over = limit + 1;
  key: for (const key of node.keys()) {
    if (key === LEAF) {
      const distance = osa[depth * n + n - 1]!;
      if (distance <= limit && levenshteinWithin(prefix, query, limit + 1)) {
        walk.out.push({ term: prefix, distance, value: node.get(key) as T });
      }
      continue;
    }
    let i = depth;
    for (let at = 0; at < key.length; at++) {
      if (++i >= walk.rows) continue key;
      const char = key.charCodeAt(at);
      letters[i] = key[at]!;
      const row = i * n;
      const above = row - n;
      let least = i <= limit ? i : over;
      const last = Math.min(n - 1, i + limit);
      for (let j = Math.max(1, i - limit); j <= last; j++) {
        let d = Math.min(
          osa[above + j]! + 1,
          osa[row + j - 1]! + 1,
          osa[above + j - 1]! + (char === query.charCodeAt(j - 1) ? 0 : 1),
        );
        if (i > 1 && j > 1 && char === query.charCodeAt(j - 2) && letters[i - 1] === query[j - 1]) {
          d = Math.min(d, osa[above - n + j - 2]! + 1);
        }
        if (d > over) d = over;
        osa[row + j] = d;
        if (d < least) least = d;
      }
      // A row's least entry exceeds the one before by at most one, and a swap reaches back one row only.
      if (least > limit) continue key;
    }
    visit(walk, node.get(key) as TermNode, i, prefix + key);
  }
}

/** Whether a and b are at most `limit` Levenshtein edits apart (a swap of neighbours counts two). */
function levenshteinWithin(a: string, b: string, limit: number): boolean {
  if (Math.abs(a.length - b.length) > limit) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length]! <= limit;
}
