/**
 * Spreading results across sessions: an answer that was told bit by bit ("What has Ana painted?")
 * sits in several conversations, while one session that matched well, and the neighbours it lends
 * to (neighbours.ts), can fill the whole top 10 on its own. The list is re-ordered greedily, in the
 * manner of maximal marginal relevance: each place goes to the candidate with the best score after
 * a discount for every result its session (`metadata.session`, see neighbours.ts) already holds,
 * score / (1 + weight · count). The discount is a ratio, so it means the same at any score level
 * (whatever the embedder); the first result never changes, and memories outside any session are
 * never discounted. Nothing is dropped: a discounted memory only moves down.
 */
import { contributed, type Ranked } from './hybrid';
import { threadOf } from './neighbours';

export function spreadAcrossSessions(ranked: Ranked[], weight: number): Ranked[] {
  if (weight <= 0 || ranked.length < 2) return ranked;
  // Each session's candidates, best first (the input is sorted); memories outside any session share one queue.
  const queues = new Map<string | undefined, Ranked[]>();
  for (const result of ranked) {
    const key = threadOf(result.item);
    const queue = queues.get(key);
    if (queue) queue.push(result);
    else queues.set(key, [result]);
  }
  if (queues.size === 1) return ranked; // one session (or none): the order cannot change
  const heads = [...queues.entries()].map(([key, queue]) => ({ key, queue, at: 0 }));
  const out: Ranked[] = [];
  while (out.length < ranked.length) {
    let best: (typeof heads)[number] | undefined;
    let bestScore = -Infinity;
    for (const head of heads) {
      const next = head.queue[head.at];
      if (!next) continue;
      const score = head.key === undefined ? next.score : discounted(next.score, weight, head.at);
      if (score > bestScore || (score === bestScore && best && earlier(next, best.queue[best.at]!))) {
        [best, bestScore] = [head, score];
      }
    }
    const chosen = best!.queue[best!.at]!;
    const discount = bestScore - chosen.score;
    out.push(discount === 0 ? chosen : contributed(chosen, bestScore, 'spread', discount));
    best!.at++;
  }
  return out;
}

/** A score lowered by the results its session already holds; a negative score is not raised by it. */
function discounted(score: number, weight: number, count: number): number {
  return score > 0 ? score / (1 + weight * count) : score;
}

/** The usual tie order of the ranking modules: older first, then by id. */
function earlier(a: Ranked, b: Ranked): boolean {
  return a.item.createdAt < b.item.createdAt || (a.item.createdAt === b.item.createdAt && a.item.id < b.item.id);
}
