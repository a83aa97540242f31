/**
 * The second keyword search of a query expansion (lexical-feedback.ts, term-neighbours.ts): the words
 * the query lacked are searched once more in the lexical index, and each hit gains up to `weight` × the
 * fusion's lexical weight, by its BM25 score over the best one, on top of its fused score. A memory that
 * only this search found joins the candidates (`via: ['expansion']`). Cost: one more lexical search.
 */
import type { MemoryItem } from '../../sdk/types';
import type { LexicalHit } from '../ports';
import { byScore, joined, withContribution, type Ranked } from './hybrid';

export interface ExpansionOptions {
  /** Share of the lexical weight the best hit of the expansion gains. */
  weight: number;
  /** The fusion's lexical weight (hybrid.ts), so the extra is on the scale of a keyword match. */
  lexicalWeight: number;
  items: Map<string, MemoryItem>;
  /** The lexical index's search, with the search's pool and filter. */
  search: (query: string) => LexicalHit[];
}

export function fuseExpansion(ranked: Ranked[], words: readonly string[], options: ExpansionOptions): Ranked[] {
  if (options.weight <= 0 || words.length === 0) return ranked;
  const hits = options.search(words.join(' '));
  const best = Math.max(0, ...hits.map((hit) => hit.score));
  if (best <= 0) return ranked;
  const scale = (options.weight * options.lexicalWeight) / best;
  const extra = new Map(hits.map((hit) => [hit.id, hit.score * scale]));
  const out = ranked.map((result) => {
    const add = extra.get(result.item.id);
    extra.delete(result.item.id);
    return add ? withContribution(result, 'expansion', add) : result;
  });
  for (const [id, add] of extra) {
    const item = options.items.get(id);
    if (item) out.push(withContribution(joined(item, 'expansion'), 'expansion', add));
  }
  return out.sort(byScore);
}
