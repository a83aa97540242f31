/**
 * LoCoMo metrics, means over questions: recall@5/10/20, MRR, hit@10 from the search ranking, and
 * from the context the assistant would send: the share of evidence turns whose text reaches the
 * prompt (`evidenceInContext`; `evidenceWhole` counts only those shown whole, not as an excerpt), the tokens of those evidence turns' text (`evidenceTokens`, the
 * answer-relevant tokens per prompt), the tokens of every memory section (`memoryTokens`) and the
 * share of those that are evidence (`evidenceTokenShare`, per prompt, then averaged).
 * Recall@10 and evidence in context are also given per category.
 */
export const CATEGORY_NAMES: Record<number, string> = { 1: 'multi-hop', 2: 'temporal', 3: 'open-domain', 4: 'single-hop' };

export interface Scored {
  category: number;
  ranking: string[];
  evidence: string[];
  /** Ids (dia_id) of the turns whose text is in the prompt `context.build` assembled. */
  inContext?: string[];
  /** Those of the evidence turns that are in it whole (not as an excerpt). */
  wholeInContext?: string[];
  /** Tokens of the evidence turns' text in that prompt. */
  evidenceTokens?: number;
  /** Tokens of the prompt's memory sections. */
  memoryTokens?: number;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

export const recallAt = (r: Scored, k: number) =>
  r.evidence.filter((id) => r.ranking.slice(0, k).includes(id)).length / r.evidence.length;

export const evidenceShare = (r: Scored) =>
  r.evidence.filter((id) => (r.inContext ?? []).includes(id)).length / r.evidence.length;

export interface CategoryScore {
  name: string;
  questions: number;
  'recall@10': number;
  evidenceInContext: number;
}

export function score(results: Scored[]) {
  const perCategory: Record<string, CategoryScore> = {};
  for (const category of [1, 2, 3, 4]) {
    const subset = results.filter((r) => r.category === category);
    if (subset.length > 0)
      perCategory[category] = {
        name: CATEGORY_NAMES[category]!,
        questions: subset.length,
        'recall@10': mean(subset.map((r) => recallAt(r, 10))),
        evidenceInContext: mean(subset.map(evidenceShare)),
      };
  }
  return {
    questions: results.length,
    'recall@5': mean(results.map((r) => recallAt(r, 5))),
    'recall@10': mean(results.map((r) => recallAt(r, 10))),
    'recall@20': mean(results.map((r) => recallAt(r, 20))),
    mrr: mean(
      results.map((r) => {
        const rank = r.ranking.findIndex((id) => r.evidence.includes(id));
        return rank < 0 ? 0 : 1 / (rank + 1);
      }),
    ),
    'hit@10': mean(results.map((r) => (r.ranking.slice(0, 10).some((id) => r.evidence.includes(id)) ? 1 : 0))),
    evidenceInContext: mean(results.map(evidenceShare)),
    evidenceWhole: mean(results.map((r) => (r.wholeInContext?.length ?? 0) / r.evidence.length)),
    evidenceTokens: mean(results.map((r) => r.evidenceTokens ?? 0)),
    memoryTokens: mean(results.map((r) => r.memoryTokens ?? 0)),
    evidenceTokenShare: mean(results.map((r) => (r.memoryTokens ? (r.evidenceTokens ?? 0) / r.memoryTokens : 0))),
    perCategory,
  };
}
