/**
 * The {@link LexicalIndex} port over MiniSearch (BM25+). Terms are lower-cased runs of letters
 * and digits in any script; common English function words are dropped so a question's
 * "what/when/did" does not outweigh its content words.
 */
import MiniSearch, { type Options } from 'minisearch';
import type { LexicalIndex } from '../../core/ports';
import { STOPWORDS } from './stopwords';
import { stem } from './stem';

/** Bumped whenever tokenising or stemming changes: a snapshot made by another analyser is rebuilt. */
const ANALYZER = 2;

const TOKEN = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

const OPTIONS: Options<{ id: string; text: string }> = {
  fields: ['text'],
  storeFields: [],
  tokenize,
  processTerm: (term: string) => (STOPWORDS.has(term) ? null : stem(term)),
  searchOptions: { combineWith: 'OR', bm25: { k: 1.2, b: 0.75, d: 0.5 } },
};

/** A new index, or one restored from {@link LexicalIndex.snapshot} (an unreadable snapshot starts empty). */
export function createLexicalIndex(snapshot?: string): LexicalIndex {
  let search: MiniSearch<{ id: string; text: string }>;
  try {
    const saved = snapshot ? (JSON.parse(snapshot) as { analyzer?: number; index?: unknown }) : undefined;
    search = saved?.analyzer === ANALYZER ? MiniSearch.loadJS(saved.index as never, OPTIONS) : new MiniSearch(OPTIONS);
  } catch {
    search = new MiniSearch(OPTIONS);
  }

  return {
    get size() {
      return search.documentCount;
    },
    upsert(id, text) {
      if (search.has(id)) search.discard(id);
      search.add({ id, text });
    },
    remove(id) {
      if (search.has(id)) search.discard(id);
    },
    search(query, k, accept) {
      const results = accept ? search.search(query, { filter: (result) => accept(String(result.id)) }) : search.search(query);
      return results.slice(0, k).map((result) => ({ id: String(result.id), score: result.score, terms: result.queryTerms }));
    },
    has: (id) => search.has(id),
    clear() {
      search.removeAll();
    },
    async snapshot() {
      // A discarded document's terms stay in MiniSearch until it vacuums: purge them first.
      await search.vacuum({ batchSize: 10_000, batchWait: 0 });
      return JSON.stringify({ analyzer: ANALYZER, index: search });
    },
  };
}
