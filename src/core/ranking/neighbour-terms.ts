/**
 * Neighbour context in the match: in a chat, a turn often answers a question asked in the turn
 * before it, so its own words leave out what it is about ("What did you research?" → "Adoption
 * agencies."). Here a turn is matched with a little of its neighbours' words: every query term
 * found in the turn right before or after it (same `metadata.session`, see neighbours.ts) but not
 * in the turn itself adds to its score, in proportion to the term's rarity, up to `weight` × the
 * lexical weight when the neighbours hold every query term. A turn that gains only this way joins
 * the candidates (`via: ['neighbour']`). Unlike neighbours.ts, which lends a strong result's whole
 * score, this lends words, to every candidate, so a turn is lifted by what is missing from it.
 */
import type { MemoryItem } from '../../sdk/types';
import type { LexicalHit } from '../ports';
import { byScore, joined, withContribution, type Ranked } from './hybrid';

export interface NeighbourTermsOptions {
  /** Share of the lexical weight a turn gains when its neighbours hold every query term it lacks. */
  weight: number;
  /** The fusion's lexical weight (hybrid.ts), so the extra is on the scale of a keyword match. */
  lexicalWeight: number;
  /** The lexical hits of the query, with the query terms each holds. */
  lexical: LexicalHit[];
  /** The turns right beside a memory in its conversation. */
  neighboursOf: (id: string) => readonly string[];
  items: Map<string, MemoryItem>;
  accept: (id: string) => boolean;
  /** false: the results come back in no particular order (refine.ts sorts once after every boost). Default true. */
  sort?: boolean;
}

export function lendNeighbourTerms(ranked: Ranked[], options: NeighbourTermsOptions): Ranked[] {
  const { weight, lexical, items } = options;
  if (weight <= 0 || lexical.length === 0) return ranked;
  const termsOf = new Map<string, readonly string[]>();
  const found = new Map<string, number>(); // term → hits that hold it
  for (const hit of lexical) {
    if (!hit.terms || hit.terms.length === 0) continue;
    termsOf.set(hit.id, hit.terms);
    for (const term of hit.terms) found.set(term, (found.get(term) ?? 0) + 1);
  }
  if (found.size === 0) return ranked;
  // Rarity as in BM25's idf; the lexical list is cut at the search's pool, which only flattens common terms.
  const rarity = new Map([...found].map(([term, count]) => [term, Math.log(1 + items.size / count)]));
  const all = [...rarity.values()].reduce((sum, value) => sum + value, 0);
  const scale = (weight * options.lexicalWeight) / all;

  // Called for every candidate: most have no neighbour among the hits, and a hit holds a few terms,
  // so lists (in the order the terms were first met, which the sum keeps) rather than sets.
  const extraOf = (id: string): number => {
    const own = termsOf.get(id);
    let borrowed: string[] | undefined;
    for (const other of options.neighboursOf(id)) {
      const terms = termsOf.get(other);
      if (terms === undefined) continue;
      for (const term of terms) {
        if (own?.includes(term) || borrowed?.includes(term)) continue;
        (borrowed ??= []).push(term);
      }
    }
    if (borrowed === undefined) return 0;
    let sum = 0;
    for (const term of borrowed) sum += rarity.get(term)!;
    return sum * scale;
  };

  // Only a turn beside a keyword hit can borrow: the others are not looked at further.
  const beside = new Set<string>();
  for (const id of termsOf.keys()) for (const other of options.neighboursOf(id)) beside.add(other);
  const seen = new Set<string>();
  const out = ranked.map((result) => {
    const id = result.item.id;
    if (!beside.has(id)) return result;
    seen.add(id);
    const extra = extraOf(id);
    return extra > 0 ? withContribution(result, 'neighbourTerms', extra) : result;
  });
  // Turns beside a keyword hit that were no candidate at all: their neighbours' words are all they have.
  for (const other of beside) {
    const item = items.get(other);
    if (seen.has(other) || !item || !options.accept(other)) continue;
    seen.add(other);
    const extra = extraOf(other);
    if (extra > 0) out.push(withContribution(joined(item, 'neighbour'), 'neighbourTerms', extra));
  }
  return options.sort === false ? out : out.sort(byScore);
}
