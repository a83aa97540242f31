/**
 * Two-stage ranking in one pass: sessions first, then turns inside the best sessions. A
 * conversation that matched the query well somewhere is likely to hold the rest of the answer
 * (the follow-up, the detail given three turns later), so every candidate gains `weight` × the
 * best score in its thread (memories that share `metadata.session`, see neighbours.ts).
 * Memories outside any thread are left as they are.
 */
import { byScore, withContribution, type Ranked } from './hybrid';
import { threadOf } from './neighbours';

/** `sort` false: the results come back in no particular order (refine.ts sorts once after every boost). */
export function boostBySession(ranked: Ranked[], weight: number, sort = true): Ranked[] {
  if (weight <= 0) return ranked;
  const best = new Map<string, number>();
  for (const result of ranked) {
    const thread = threadOf(result.item);
    if (thread !== undefined) best.set(thread, Math.max(best.get(thread) ?? -Infinity, result.score));
  }
  if (best.size === 0) return ranked;
  const out = ranked.map((result) => {
    const thread = threadOf(result.item);
    if (thread === undefined) return result;
    const extra = weight * Math.max(0, best.get(thread)!);
    return withContribution(result, 'session', extra);
  });
  return sort ? out.sort(byScore) : out;
}
