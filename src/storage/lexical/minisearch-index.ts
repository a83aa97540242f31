/**
 * The {@link LexicalIndex} port over MiniSearch (BM25+). Terms are lower-cased runs of letters
 * and digits in any script; common English function words are dropped so a question's
 * "what/when/did" does not outweigh its content words.
 *
 * Indexing is off the write path: `upsert` only queues the text, and the queue is indexed in
 * slices of a few milliseconds between other work, after the bulk add under way if any ({@link
 * LexicalIndex.defer}: slices between its writes delayed each write's next step by up to a slice,
 * on a loaded machine more). A search that meets a short queue indexes it first (the first search
 * after an import); a long queue, or one a bulk add holds, it scans (see pending-scan.ts). Hits are
 * read from MiniSearch's term index by top-hits.ts, with MiniSearch's scores; spelling candidates
 * from its term tree by spelling-walk.ts.
 */
import MiniSearch, { type Options } from 'minisearch';
import type { LexicalIndex } from '../../core/ports';
import { yieldToEventLoop } from '../../core/yield';
import { STOPWORDS } from './stopwords';
import { stem } from './stem';
import { scanPending, type PendingText } from './pending-scan';
import { loadIndex, saveIndex } from './minisearch-snapshot';
import { topHits } from './top-hits';
import { closeTerms, type TermNode } from './spelling-walk';

/** Bumped whenever tokenising or stemming changes: a snapshot made by another analyser is rebuilt. */
const ANALYZER = 2;
/** How long one slice of indexing may hold the thread before other work gets a turn. */
const SLICE_MS = 8;
/**
 * A search meeting at most this many queued texts indexes them first (when no bulk add holds the
 * index back): a conversation of 663 turns took about as long to index as to scan, and the hits are
 * then exactly those of the index. A longer queue is scanned (pending-scan.ts).
 */
const INDEX_AT_SEARCH = 1000;

const TOKEN = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

const processTerm = (term: string) => (STOPWORDS.has(term) ? null : stem(term));
const BM25 = { k: 1.2, b: 0.75, d: 0.5 };

const OPTIONS: Options<{ id: string; text: string }> = {
  fields: ['text'],
  storeFields: [],
  tokenize,
  processTerm,
  searchOptions: { combineWith: 'OR', bm25: BM25 },
};

/** What MiniSearch keeps private and {@link LexicalIndex.near} reads: its term tree and its live documents. */
interface Internals {
  _index: {
    fuzzyGet(term: string, distance: number): Map<string, [Map<number, Map<number, number>>, number]>;
    _tree: TermNode;
  };
  _documentIds: Map<number, unknown>;
}

/** How many live documents hold a term (a discarded memory's terms stay in the tree until a vacuum). */
function liveFrequency(fields: Map<number, Map<number, number>>, live: Map<number, unknown>): number {
  let frequency = 0;
  for (const docs of fields.values()) for (const short of docs.keys()) if (live.has(short)) frequency++;
  return frequency;
}

/** MiniSearch keeps the average field length private; the pending scan compares lengths with it. */
const averageLength = (search: MiniSearch) => (search as unknown as { _avgFieldLength?: number[] })._avgFieldLength?.[0] ?? 0;

/**
 * A new index, or one restored from {@link LexicalIndex.snapshot} (see minisearch-snapshot.ts; an
 * unreadable snapshot, or one of another analyser or format, starts empty). `pause`: how a slice
 * of indexing lets other work run (tests may step it themselves).
 */
export function createLexicalIndex(snapshot?: string, pause: () => Promise<void> = yieldToEventLoop): LexicalIndex {
  let search: MiniSearch<{ id: string; text: string }>;
  try {
    search = (snapshot && loadIndex(snapshot, ANALYZER, OPTIONS)) || new MiniSearch(OPTIONS);
  } catch {
    search = new MiniSearch(OPTIONS);
  }
  /** Written, not yet indexed (never also in `search`: an upsert discards the indexed version). */
  const pending = new Map<string, PendingText>();
  let draining: Promise<void> | undefined;
  /** Holds under way (see {@link LexicalIndex.defer}), and how the drain waiting for their end is woken. */
  let holds = 0;
  let wake: (() => void) | undefined;

  const indexSlice = (until: number) => {
    for (const [id, { text }] of pending) {
      pending.delete(id);
      search.add({ id, text });
      if (performance.now() >= until) return;
    }
  };
  const drain = async () => {
    try {
      while (pending.size > 0) {
        await pause();
        if (holds > 0) await new Promise<void>((resolve) => (wake = resolve));
        else indexSlice(performance.now() + SLICE_MS);
      }
    } finally {
      draining = undefined;
    }
  };

  return {
    get size() {
      return search.documentCount + pending.size;
    },
    upsert(id, text) {
      if (search.has(id)) search.discard(id);
      pending.delete(id); // a replaced text goes to the back of the queue
      pending.set(id, { text });
      draining ??= drain();
    },
    remove(id) {
      pending.delete(id);
      if (search.has(id)) search.discard(id);
    },
    search(query, k, accept) {
      // A short queue is indexed at once (about what scanning it costs), so the hits are the index's own.
      if (pending.size > 0 && pending.size <= INDEX_AT_SEARCH && holds === 0) indexSlice(Infinity);
      const terms = tokenize(query).flatMap((token) => processTerm(token) || []);
      if (pending.size === 0) return topHits(search, 'text', terms, BM25, k, accept);
      // Unfiltered, so each term's document frequency can be counted from the matches.
      const indexed = topHits(search, 'text', terms, BM25, Infinity);
      const frequencies = new Map<string, number>();
      for (const hit of indexed) for (const term of hit.terms!) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
      const stats = { documents: search.documentCount, averageLength: averageLength(search) };
      const found = scanPending(
        pending,
        terms,
        { ...stats, frequency: (term) => frequencies.get(term) ?? 0 },
        { tokenize, processTerm },
        BM25,
        accept,
      );
      for (const hit of indexed) if (!accept || accept(hit.id)) found.push(hit);
      return found.sort((a, b) => b.score - a.score).slice(0, k);
    },
    analyse: (text) =>
      tokenize(text).flatMap((word) => {
        const term = processTerm(word);
        return term ? [{ word, term }] : [];
      }),
    near(term, distance) {
      const { _index, _documentIds } = search as unknown as Internals;
      const out: { term: string; frequency: number }[] = [];
      for (const [found, [fields]] of _index.fuzzyGet(term, distance)) {
        const frequency = liveFrequency(fields, _documentIds);
        if (frequency > 0) out.push({ term: found, frequency });
      }
      return out;
    },
    closeTo(term, limit) {
      const { _index, _documentIds } = search as unknown as Internals;
      const out: { term: string; frequency: number; distance: number }[] = [];
      for (const { term: found, distance, value } of closeTerms<Map<number, Map<number, number>>>(_index._tree, term, limit)) {
        const frequency = liveFrequency(value, _documentIds);
        if (frequency > 0) out.push({ term: found, frequency, distance });
      }
      return out;
    },
    searchTerms: (terms, k, accept) => topHits(search, 'text', tokenize(terms.join(' ')), BM25, k, accept),
    has: (id) => pending.has(id) || search.has(id),
    clear() {
      pending.clear();
      search.removeAll();
    },
    async settled() {
      while (draining) await draining;
    },
    defer() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holds === 0) wake?.();
      };
    },
    async snapshot() {
      await this.settled();
      indexSlice(Infinity); // written meanwhile
      // A discarded document's terms stay in MiniSearch until it vacuums: purge them first.
      if (search.dirtCount > 0) await search.vacuum({ batchSize: 10_000, batchWait: 0 });
      return saveIndex(search as MiniSearch<never>, ANALYZER);
    },
  };
}
