/**
 * Hybrid ranking: fuses dense and lexical candidate lists, then adds recency and importance.
 *
 * score = w.similarity · minmax(cosine) + w.lexical · (bm25 / best bm25)
 *       + w.recency · 0.5^(age / halfLife) + w.importance · importance
 *
 * Candidates come from up to four lists: dense and lexical hits for the query, and, when the
 * caller asks, the most recent and the most important memories (they enter with no similarity
 * and no lexical score, so they rank on recency and importance alone).
 *
 * A dense-only candidate must clear the relevance floor (relevance-floor.ts), so a query that
 * matches nothing returns nothing. Min-max over the dense candidates (not raw cosine) because embedders differ in their
 * similarity floor (word-vector models score unrelated English at 0.3–0.6). Every result keeps
 * each contribution so a UI can explain the order.
 */
import type { RankingWeights } from '../../sdk/options';
import type { MemoryItem, ScoreExplanation } from '../../sdk/types';
import type { LexicalHit, VectorHit } from '../ports';

export interface RankInput {
  dense: VectorHit[];
  lexical: LexicalHit[];
  items: Map<string, MemoryItem>;
  weights: RankingWeights;
  now: number;
  recencyHalfLifeDays: number;
  /** Ids of the most recent memories, to be ranked whatever the query. */
  recent?: string[];
  /** Ids of the most important memories, to be ranked whatever the query. */
  important?: string[];
  /** Whether a dense list was possible at all (an embedder was usable). */
  denseAvailable: boolean;
  /** The importance ranking uses (decayed); default the item's own. */
  importanceOf?: (item: MemoryItem) => number;
  /**
   * The relevance floor (see relevance-floor.ts): a dense hit below it is no candidate unless it
   * also is a lexical hit (or a recent or important one the caller asked for). Default none.
   */
  denseFloor?: number;
}

export interface Ranked {
  item: MemoryItem;
  score: number;
  explanation: ScoreExplanation;
}

const DAY_MS = 86_400_000;

export function recencyOf(item: MemoryItem, now: number, halfLifeDays: number): number {
  const ageDays = Math.max(0, now - item.updatedAt) / DAY_MS;
  return Math.pow(0.5, ageDays / Math.max(halfLifeDays, 1e-9));
}

export function rankHybrid(input: RankInput): Ranked[] {
  const { weights, items } = input;
  const dense = new Map<string, number>();
  for (const hit of input.dense) dense.set(hit.id, hit.score);
  const lexical = new Map<string, number>();
  for (const hit of input.lexical) lexical.set(hit.id, hit.score);
  const denseValues = [...dense.values()];
  const denseMin = Math.min(...denseValues);
  const denseSpan = Math.max(...denseValues) - denseMin;
  const lexicalBest = Math.max(0, ...lexical.values());
  const denseWeight = input.denseAvailable ? weights.similarity : 0;

  const recent = new Set(input.recent);
  const important = new Set(input.important);
  // Every candidate once, in the order of the lists (the first list that names it).
  const candidates = new Set(dense.keys());
  for (const id of lexical.keys()) candidates.add(id);
  for (const id of recent) candidates.add(id);
  for (const id of important) candidates.add(id);
  const ranked: Ranked[] = [];
  const floor = input.denseFloor ?? -Infinity;
  for (const id of candidates) {
    const item = items.get(id);
    if (!item) continue;
    const similarity = dense.get(id);
    const bm25 = lexical.get(id);
    // Nothing relevant: only as similar as unrelated text, and no word in common.
    if (bm25 === undefined && similarity! < floor && !recent.has(id) && !important.has(id)) continue;
    const denseNorm = similarity === undefined ? 0 : denseSpan > 0 ? (similarity - denseMin) / denseSpan : 1;
    const lexicalNorm = bm25 === undefined || lexicalBest === 0 ? 0 : bm25 / lexicalBest;
    const recency = recencyOf(item, input.now, input.recencyHalfLifeDays);
    const importance = input.importanceOf?.(item) ?? item.importance;
    const contributions = {
      similarity: denseWeight * denseNorm,
      lexical: weights.lexical * lexicalNorm,
      recency: weights.recency * recency,
      importance: weights.importance * importance,
    };
    const score = contributions.similarity + contributions.lexical + contributions.recency + contributions.importance;
    const via: ScoreExplanation['via'] = [];
    if (similarity !== undefined) via.push('dense');
    if (bm25 !== undefined) via.push('lexical');
    if (recent.has(id)) via.push('recent');
    if (important.has(id)) via.push('important');
    const explanation: ScoreExplanation = {
      mode: !input.denseAvailable ? 'lexical' : bm25 === undefined ? 'dense' : 'hybrid',
      recency,
      importance,
      contributions,
      via,
    };
    if (similarity !== undefined) explanation.similarity = similarity;
    if (bm25 !== undefined) explanation.lexical = bm25;
    ranked.push({ item, score, explanation });
  }
  // Ties (same score) keep chronological order, oldest first, so the order is deterministic.
  return ranked.sort(byScore);
}

/**
 * The order of every ranking step: best score first; ties keep chronological order, oldest
 * first, then id order, so the order is deterministic.
 */
export function byScore(a: Ranked, b: Ranked): number {
  return b.score - a.score || a.item.createdAt - b.item.createdAt || (a.item.id < b.item.id ? -1 : 1);
}

type Contribution = Exclude<keyof ScoreExplanation['contributions'], 'similarity' | 'lexical' | 'recency' | 'importance'>;
type Via = ScoreExplanation['via'][number];

/**
 * `result` with `extra` added to its score as the contribution `key` (a refinement's share), and `via`
 * listed once among the lists that put it forward when given.
 */
export function withContribution(result: Ranked, key: Contribution, extra: number, via?: Via): Ranked {
  return contributed(result, result.score + extra, key, extra, via);
}

/**
 * `result` at `score`, its explanation with the contribution `key` set to `extra` (and `via` listed
 * once when given); the result and its explanation are copies, keys in the same order. A search makes
 * hundreds of these: copied and then assigned, not spread with a (computed) key in the literal, which
 * V8 builds on a slow path (about four times the time, measured).
 */
export function contributed(result: Ranked, score: number, key: Contribution, extra: number, via?: Via): Ranked {
  const { explanation } = result;
  const contributions = Object.assign({}, explanation.contributions);
  contributions[key] = extra;
  const next = Object.assign({}, explanation);
  next.contributions = contributions;
  if (via !== undefined && !explanation.via.includes(via)) next.via = [...explanation.via, via];
  return { item: result.item, score, explanation: next };
}

/** A memory that joins the results through a refinement alone (`via`), with nothing fused of its own yet. */
export function joined(item: MemoryItem, via: Via): Ranked {
  const contributions = { similarity: 0, lexical: 0, recency: 0, importance: 0 };
  return { item, score: 0, explanation: { mode: 'hybrid', recency: 0, importance: item.importance, contributions, via: [via] } };
}
