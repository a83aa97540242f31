/**
 * Leave-one-conversation-out cross-validation: for each conversation, the variant (a set of
 * settings) that scores best on the *other* conversations is chosen and scored on this one; the
 * held-out results of every conversation are pooled. The gap between this figure and the plain one
 * (defaults scored on every conversation) is how much the defaults fit the split rather than the task.
 */
import { evidenceShare, recallAt, score, type Scored } from './metrics';

export interface VariantRun {
  /** The variant's name (its settings as JSON). */
  name: string;
  /** Results per conversation id. */
  byConversation: Map<string, Scored[]>;
}

/**
 * The selection objective: the mean of recall@10 (the search) and evidence in context (the prompt),
 * each a mean over questions, so a variant cannot buy one with the other.
 */
const objective = (results: Scored[]) =>
  results.reduce((sum, r) => sum + (recallAt(r, 10) + evidenceShare(r)) / 2, 0) / Math.max(results.length, 1);

export function crossValidate(runs: VariantRun[]) {
  const conversations = [...(runs[0]?.byConversation.keys() ?? [])];
  const pooled: Scored[] = [];
  const chosen: Record<string, string> = {};
  for (const heldOut of conversations) {
    let best: VariantRun | undefined;
    let bestScore = -Infinity;
    for (const run of runs) {
      const train = conversations.filter((id) => id !== heldOut).flatMap((id) => run.byConversation.get(id) ?? []);
      const value = objective(train);
      if (value > bestScore) [best, bestScore] = [run, value];
    }
    chosen[heldOut] = best!.name;
    pooled.push(...(best!.byConversation.get(heldOut) ?? []));
  }
  return { ...score(pooled), chosen };
}

/** The variant that scores best on all conversations together (what the defaults should be). */
export function bestOverall(runs: VariantRun[]) {
  return runs
    .map((run) => {
      const all = [...run.byConversation.values()].flat();
      const { 'recall@10': recall, evidenceInContext, evidenceWhole, evidenceTokens, perCategory } = score(all);
      // Per category, as "recall@10 / evidence in context", so what a variant adds or costs shows where.
      const categories = Object.fromEntries(
        Object.values(perCategory).map((c) => [c.name, `${c['recall@10'].toFixed(3)} / ${c.evidenceInContext.toFixed(3)}`]),
      );
      return {
        name: run.name,
        objective: objective(all),
        'recall@10': recall,
        evidenceInContext,
        evidenceWhole,
        evidenceTokens,
        categories,
      };
    })
    .sort((a, b) => b.objective - a.objective);
}
