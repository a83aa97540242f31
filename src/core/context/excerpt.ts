/**
 * Excerpts of long memories: a lower-ranked memory of several sentences is shown as its first
 * sentence (who, when, what it is about usually come first) and the sentence that shares the
 * most words with the query, the gaps marked `…`, instead of whole. The best-ranked memories
 * always stay whole (`excerptFrom`), so a cut can only shorten the tail of the list, where the
 * whole text would often not fit at all; the room saved holds more memories.
 *
 * A memory with fewer than three sentences, or none of whose later sentences shares a word with
 * the query (found by meaning alone: no sentence can be told apart), is never cut.
 */
const SENTENCE_END = /(?<=[.!?…])\s+(?=\S)/u;
const WORD = /[\p{L}\p{N}]+/gu;
/** Letters two words must share at their start to count as one word (paint / painted / painting). */
const STEM = 5;

/** The sentences of a text, in order, each with its closing sign. */
export function sentences(text: string): string[] {
  return text
    .trim()
    .split(SENTENCE_END)
    .filter((part) => part.length > 0);
}

const stems = (text: string) =>
  new Set((text.toLowerCase().match(WORD) ?? []).filter((word) => word.length > 2).map((word) => word.slice(0, STEM)));

/** The excerpt of `text` for `query`, or undefined when the text stays whole (see the module notes). */
export function excerpt(text: string, query: string): string | undefined {
  const parts = sentences(text);
  if (parts.length < 3) return undefined;
  const wanted = stems(query);
  let best = 0;
  let bestShared = 0;
  for (let i = 1; i < parts.length; i++) {
    const own = stems(parts[i]!);
    let shared = 0;
    for (const stem of wanted) if (own.has(stem)) shared++;
    if (shared > bestShared) [best, bestShared] = [i, shared];
  }
  if (best === 0) return undefined;
  const gap = best > 1 ? ' … ' : ' ';
  return `${parts[0]}${gap}${parts[best]}${best < parts.length - 1 ? ' …' : ''}`;
}

/**
 * Where excerpts start: memories at this 0-based place of the list and after; `Infinity` keeps all
 * whole. LoCoMo dev (README): from 5 puts the most evidence turns in the prompt (0.862) but cuts
 * enough of their text that the answer-relevant tokens per prompt fall (65.1, before 65.6); from 10
 * is the best that loses none (0.859, 67.0 tokens); LOCO-CV chose 5 or 10 in every fold.
 */
export const EXCERPT_DEFAULTS = { from: 10 } as const;
