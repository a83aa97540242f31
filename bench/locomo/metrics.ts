/** LoCoMo retrieval metrics: recall@5/10/20, MRR, hit@10, recall@10 per category (means over questions). */
export const CATEGORY_NAMES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

export interface Scored {
  category: number;
  ranking: string[];
  evidence: string[];
}

export function score(results: Scored[]) {
  const recall = (r: Scored, k: number) =>
    r.evidence.filter((id) => r.ranking.slice(0, k).includes(id)).length / r.evidence.length;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);
  const perCategory: Record<string, { name: string; questions: number; 'recall@10': number }> = {};
  for (const category of [1, 2, 3, 4]) {
    const subset = results.filter((r) => r.category === category);
    if (subset.length > 0)
      perCategory[category] = {
        name: CATEGORY_NAMES[category]!,
        questions: subset.length,
        'recall@10': mean(subset.map((r) => recall(r, 10))),
      };
  }
  return {
    questions: results.length,
    'recall@5': mean(results.map((r) => recall(r, 5))),
    'recall@10': mean(results.map((r) => recall(r, 10))),
    'recall@20': mean(results.map((r) => recall(r, 20))),
    mrr: mean(
      results.map((r) => {
        const rank = r.ranking.findIndex((id) => r.evidence.includes(id));
        return rank < 0 ? 0 : 1 / (rank + 1);
      }),
    ),
    'hit@10': mean(results.map((r) => (r.ranking.slice(0, 10).some((id) => r.evidence.includes(id)) ? 1 : 0))),
    perCategory,
  };
}
