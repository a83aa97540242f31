/**
 * What a search returns and what a context build assembles: part of the public contract (see types.ts).
 */
import type { MemoryItem } from './types';

/** Why a search result ranks where it does. Every number a UI may want to show is here. */
export interface ScoreExplanation {
  /** `hybrid` = dense + lexical; `lexical` = no embedder was available; `dense` = no lexical hit. */
  mode: 'hybrid' | 'lexical' | 'dense';
  /** Cosine similarity between query and memory vectors (−1..1), when a vector was compared. */
  similarity?: number;
  /** Raw BM25 score of the memory for the query, when it matched a query term. */
  lexical?: number;
  /** 0..1 freshness: 1 now, halving every `recencyHalfLifeDays`. */
  recency: number;
  /** The memory's importance after decay (× 0.95 per day since last use; pinned: none), 0..1. */
  importance: number;
  /** Each signal after normalisation and weighting; they add up to `score`. */
  contributions: {
    similarity: number;
    lexical: number;
    recency: number;
    importance: number;
    neighbour?: number;
    /** Extra for query words found in the turns right beside the memory, not in it (`ranking.neighbourTerms`). */
    neighbourTerms?: number;
    /** Extra from the second keyword search with words the query did not have (`ranking.lexicalFeedback`, `ranking.termNeighbours`). */
    expansion?: number;
    /** Extra for a memory said by a person the query names (`metadata.speaker`). */
    speaker?: number;
    /** Extra from the best match in the memory's conversation session (`metadata.session`). */
    session?: number;
    /** Extra for a memory dated within a time the query names (`metadata.date`, else `validFrom`). */
    time?: number;
    /**
     * What spreading results across sessions took off (≤ 0): the memory's session already holds
     * better results (`ranking.spread`).
     */
    spread?: number;
  };
  /**
   * The candidate lists that put this memory forward: by meaning, by keywords, as one of the most
   * recent or most important, or as the turn beside a strong result in the same conversation.
   */
  via: ('dense' | 'lexical' | 'recent' | 'important' | 'neighbour' | 'expansion')[];
}

export interface SearchResult {
  item: MemoryItem;
  /** Final score used for ordering (higher is better); comparable within one search only. */
  score: number;
  /** 1-based position in the result list. */
  rank: number;
  explanation: ScoreExplanation;
}

/** One tagged section of an assembled prompt, e.g. `<relevant_memories>`. */
export interface ContextSection {
  tag: string;
  content: string;
  tokens: number;
}

/** What `context.build(query)` returns: the exact prompt and how the budget was spent. */
export interface ContextBundle {
  /**
   * The whole prompt: every section, tags included, in order. `contextMessages(bundle)` gives it as
   * the messages `chat.send` sends: the role section as the system message, the rest (memory and
   * the query) as one user message, so memory never speaks with the system's voice.
   */
  prompt: string;
  sections: ContextSection[];
  /** Tokens of the whole prompt (tags and separators included). */
  totalTokens: number;
  /** The ceiling for the memory sections (profile, memories, experiences, summary). */
  budget: number;
  /** Tokens those memory sections used (≤ budget). */
  memoryTokens: number;
  /** Ids of the memories that made it into the prompt. */
  memoriesUsed: string[];
  /** Those memories with their ranking explanation (why each was chosen), in rank order (the prompt groups them by date). */
  retrieved?: SearchResult[];
  /** What did not fit, by section (`memories` also counts near-duplicates of a better-ranked memory, said once). */
  dropped: { profile: number; memories: number; experiences: number; summary: number; turns: number };
  /** True when older turns of the conversation did not fit their budget (time to summarise). */
  overflow: boolean;
}
