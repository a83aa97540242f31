/**
 * How many memories hold each term (document frequency), in the lexical index's own terms, for query
 * expansion (lexical-feedback.ts, term-neighbours.ts) and spelling (spelling.ts): a term's rarity, the
 * vocabulary and the terms of a result. Kept in step with the memories lazily: after a change, the next use
 * walks the memories once and analyses only those whose text is new or changed (a 10k-memory walk is a map
 * scan; the first use analyses all). Per memory it keeps only its distinct terms; a result's term counts are
 * analysed again when asked (feedback asks for 5).
 */
import type { MemoryItem } from '../../sdk/types';
import type { LexicalIndex } from '../ports';

/** Default share of the memories above which a term is common (see {@link TermStats.common}). */
export const COMMON_SHARE = 0.05;

export type Analyse = NonNullable<LexicalIndex['analyse']>;

interface Analysed {
  text: string;
  /** Its distinct terms (an array, not a map: this is kept for every memory). */
  distinct: string[];
  /** How many terms the text has, repeats counted. */
  length: number;
}

export class TermStats {
  readonly #byId = new Map<string, Analysed>();
  readonly #frequency = new Map<string, number>();
  /** Term → a word it came from, so an expansion can be searched as text (the index normalises it again). */
  readonly #wordOf = new Map<string, string>();
  #stale = true;
  #analyse: Analyse | undefined;

  invalidate(): void {
    this.#stale = true;
  }

  /** Brings the counts up to date with `items` (only when something changed since). */
  sync(items: ReadonlyMap<string, MemoryItem>, analyse: Analyse): this {
    this.#analyse = analyse;
    if (!this.#stale) return this;
    this.#stale = false;
    for (const [id, entry] of this.#byId) if (items.get(id)?.text !== entry.text) this.#drop(id, entry);
    for (const [id, item] of items) {
      if (this.#byId.has(id)) continue;
      const seen = new Set<string>();
      let length = 0;
      for (const { word, term } of analyse(item.text)) {
        seen.add(term);
        if (!this.#wordOf.has(term)) this.#wordOf.set(term, word);
        length++;
      }
      for (const term of seen) this.#frequency.set(term, (this.#frequency.get(term) ?? 0) + 1);
      this.#byId.set(id, { text: item.text, distinct: [...seen], length });
    }
    return this;
  }

  get documents(): number {
    return this.#byId.size;
  }

  /** Every term some memory holds. */
  terms(): IterableIterator<string> {
    return this.#frequency.keys();
  }

  frequency(term: string): number {
    return this.#frequency.get(term) ?? 0;
  }

  /**
   * Whether more memories hold the term than `share` of them (and more than 5): in a chat, greetings,
   * names and months are everywhere; such a word says nothing about a topic, so expansion skips it.
   */
  common(term: string, share = COMMON_SHARE): boolean {
    return this.frequency(term) > Math.max(5, this.documents * share);
  }

  /** Rarity as BM25's idf (always > 0). */
  rarity(term: string): number {
    const n = this.frequency(term);
    return Math.log(1 + (this.documents - n + 0.5) / (n + 0.5));
  }

  /** The terms of a memory with their counts, and its length in terms (analysed again: asked only for a few). */
  of(id: string): { counts: ReadonlyMap<string, number>; length: number } | undefined {
    const entry = this.#byId.get(id);
    const analyse = this.#analyse;
    if (!entry || !analyse) return undefined;
    const counts = new Map<string, number>();
    for (const { term } of analyse(entry.text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { counts, length: entry.length };
  }

  wordOf(term: string): string {
    return this.#wordOf.get(term) ?? term;
  }

  #drop(id: string, entry: Analysed): void {
    this.#byId.delete(id);
    for (const term of entry.distinct) {
      const left = (this.#frequency.get(term) ?? 0) - 1;
      if (left > 0) this.#frequency.set(term, left);
      else {
        this.#frequency.delete(term);
        this.#wordOf.delete(term);
      }
    }
  }
}
