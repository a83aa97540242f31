/**
 * Speaker-aware ranking: when a question names a person who speaks in the stored conversations
 * ("What does Ana like to cook?"), what that person said matters more than what was said to them.
 * A memory whose `metadata.speaker` is named in the query (by the first word of the name, any
 * case) gets `weight` × its score on top; optionally, a memory that names such a person gets a share
 * too (entity-aware matching). Nothing changes for a query that names nobody.
 */
import type { MemoryItem } from '../../sdk/types';
import { byScore, withContribution, type Ranked } from './hybrid';

const WORD = /[\p{L}\p{N}]+/gu;
const words = (text: string) => text.toLowerCase().match(WORD) ?? [];

/**
 * Keys of the speaker names seen so far: a search looks up every candidate's speaker, and a
 * conversation has a handful of them (the Unicode word pattern is slow next to a map lookup).
 */
const keyOf = new Map<string, string | undefined>();
const KEYS_KEPT = 1000;

/** The first word of the speaker's name, lower-cased, or undefined (no speaker, or one without letters). */
export function speakerKey(item: MemoryItem): string | undefined {
  const speaker = item.metadata.speaker;
  if (typeof speaker !== 'string') return undefined;
  if (keyOf.has(speaker)) return keyOf.get(speaker);
  if (keyOf.size >= KEYS_KEPT) keyOf.clear();
  const key = words(speaker)[0];
  keyOf.set(speaker, key);
  return key;
}

/** The speakers among the memories, rebuilt lazily after the set of memories changes. */
export class Speakers {
  #keys: Set<string> | undefined;

  invalidate(): void {
    this.#keys = undefined;
  }

  /** The speakers (by {@link speakerKey}) the query names. */
  named(query: string, items: Map<string, MemoryItem>): Set<string> {
    if (!this.#keys) {
      this.#keys = new Set();
      for (const item of items.values()) {
        const key = speakerKey(item);
        if (key !== undefined) this.#keys.add(key);
      }
    }
    const keys = this.#keys;
    return new Set(words(query).filter((word) => keys.has(word)));
  }
}

/**
 * A memory said by a person the query names gains `weight` × its score; with `mentionWeight`, one
 * said by someone else that names such a person in its text (a question put to them, news about
 * them) gains `mentionWeight` × its score instead. `sort` false: in no particular order (refine.ts sorts once).
 */
export function boostNamedSpeakers(
  ranked: Ranked[],
  named: Set<string>,
  weight: number,
  mentionWeight = 0,
  sort = true,
): Ranked[] {
  if ((weight <= 0 && mentionWeight <= 0) || named.size === 0) return ranked;
  const mentions = (item: MemoryItem) => mentionWeight > 0 && words(item.text).some((word) => named.has(word));
  const out = ranked.map((result) => {
    const key = speakerKey(result.item);
    const share = key !== undefined && named.has(key) ? weight : mentions(result.item) ? mentionWeight : 0;
    if (share <= 0) return result;
    const extra = share * result.score;
    return withContribution(result, 'speaker', extra);
  });
  return sort ? out.sort(byScore) : out;
}
