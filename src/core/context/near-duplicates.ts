/**
 * Near-duplicate memories in a prompt: the same thing said twice ("I love hiking!" stored from two
 * chats, a fact and the turn it came from) spends the budget twice for nothing. A memory nearly
 * repeats a better-ranked one when their sets of words (lower-cased letters and digits) overlap by
 * at least `threshold` (Jaccard: shared words / all words) and it says no word the other lacks.
 * Overlap alone is blind to which word differs: a long "I am allergic to peanuts, …" and the same
 * sentence with "shellfish" overlap by 0.9, and the second is the one fact the assistant must not lose.
 */
const WORD = /[\p{L}\p{N}]+/gu;

export const NEAR_DUPLICATE_THRESHOLD = 0.8;

export function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(WORD) ?? []);
}

function sharedWords(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared;
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const shared = sharedWords(a, b);
  return shared / (a.size + b.size - shared);
}

/** Whether `words` nearly repeats one of `kept`: mostly the same words, and none of its own (all shared). */
export function repeats(words: Set<string>, kept: readonly Set<string>[], threshold = NEAR_DUPLICATE_THRESHOLD): boolean {
  return kept.some((other) => sharedWords(words, other) === words.size && jaccard(words, other) >= threshold);
}
