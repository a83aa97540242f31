/**
 * Two-stage ranking in one pass: sessions first, then turns inside the best sessions. A
 * conversation that matched the query well somewhere is likely to hold the rest of the answer
 * (the follow-up, the detail given three turns later), so every candidate gains `weight` × the
 * best score in its thread (memories that share `metadata.session`, see neighbours.ts).
 * Memories outside any thread are left as they are.
 */
import { byScore, withContribution, type Ranked } from './hybrid';
import { threadOf } from './neighbours';

export function boostBySession(ranked: Ranked[], weight: number): Ranked[] {
  if (weight <= 0) return ranked;
  const best = new Map<string, number>();
  for (const result of ranked) {
    const thread = threadOf(result.item);
    if (thread !== undefined) best.set(thread, Math.max(best.get(thread) ?? -Infinity, result.score));
  }
  if (best.size === 0) return ranked;
  return ranked
    .map((result) => {
      const thread = threadOf(result.item);
      if (thread === undefined) return result;
      const extra = weight * Math.max(0, best.get(thread)!);
      return withContribution(result, 'session', extra);
    })
    .sort(byScore);
}
