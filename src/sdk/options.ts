import type { BackoffOptions } from '../core/pipeline/outbox-jobs';
import type { ChatModel, Embedder } from '../core/ports';
import type { MemoryKind, ProgressCallback } from './types';
import type { PrivacyRuleName } from './privacy';

/** Weights of the ranking signals; see src/core/ranking/hybrid.ts for how they combine. */
export interface RankingWeights {
  /** Weight of dense (embedding) similarity after min-max normalisation. */
  similarity: number;
  /** Weight of lexical (BM25) score after normalisation by the best score. */
  lexical: number;
  /** Weight of freshness. */
  recency: number;
  /** Weight of the memory's own importance. */
  importance: number;
  /**
   * Share of a result's score lent to the turns beside it in the same conversation (memories that
   * share `metadata.session`). Default {@link DEFAULT_RANKING}.
   */
  neighbour?: number;
  /**
   * Relevance floor: a memory found only by meaning (no word in common with the query) must be
   * more similar to it than unrelated text is, by this share of the way to identical (0 = no floor,
   * every memory is a candidate). The "unrelated text" level is measured per query and per model,
   * so the floor holds for weak and strong embedders alike. Default {@link DEFAULT_RANKING}.
   */
  relevanceFloor?: number;
  /**
   * Share of its score a memory gains when the query names the person who said it
   * (`metadata.speaker`, matched by the first word of the name). Default {@link DEFAULT_RANKING}.
   */
  speaker?: number;
  /**
   * Share of its score a memory said by someone else gains when its text names a person the query
   * names who speaks in the stored conversations (0 = off). Default {@link DEFAULT_RANKING}.
   */
  mention?: number;
  /**
   * Share of the best score in a memory's session (`metadata.session`) every memory of that
   * session gains: sessions first, then turns inside the best ones. Default {@link DEFAULT_RANKING}.
   */
  session?: number;
  /**
   * Share of its score a memory gains when the query names a time ("in May 2023", "last year") and
   * the memory is dated within it (`metadata.date`, else `validFrom`). Default {@link DEFAULT_RANKING}.
   */
  time?: number;
  /**
   * Query feedback: how far the query vector moves towards its best results' vectors before the
   * dense list is searched again (0 = off). Default {@link DEFAULT_RANKING}.
   */
  feedback?: number;
  /**
   * Spreading results across sessions (`metadata.session`): each result a session already holds
   * divides the score of its next memory by 1 + this, so one session does not fill the results on
   * its own (0 = off). Default {@link DEFAULT_RANKING}.
   */
  spread?: number;
  /**
   * Neighbour context in the match: a turn gains up to this share of the lexical weight for query
   * words that the turns right before and after it (same `metadata.session`) hold and it lacks, by
   * their rarity (0 = off). Default {@link DEFAULT_RANKING}.
   */
  neighbourTerms?: number;
  /**
   * Lexical pseudo-relevance feedback: the distinctive words of the best few results (by their score
   * and rarity, not query words) are searched once more, and the hits gain up to this share of the
   * lexical weight (0 = off). Default {@link DEFAULT_RANKING}.
   */
  lexicalFeedback?: number;
  /**
   * Query expansion through the embedder's neighbours: the stored words whose embedding is closest to
   * a query word's are searched once more, and the hits gain up to this share of the lexical weight
   * (0 = off). Default {@link DEFAULT_RANKING}.
   */
  termNeighbours?: number;
  /**
   * Misspelt query words: a query word no memory holds is searched once more as the stored word one or
   * two edits from it, and the hits gain up to this share of the lexical weight (0 = off).
   * Default {@link DEFAULT_RANKING}.
   */
  spelling?: number;
}

/**
 * The one options object of `createMemoryClient`. Every field is optional:
 * `createMemoryClient({})` runs in a worker, stores in IndexedDB and embeds with the
 * default model from the Hugging Face hub (cached by the browser).
 */
export interface MemoryClientOptions {
  /**
   * Profile to open. Each profile lives in its own database (`<storageName>-<profileId>`),
   * so profiles never see each other's memories. Default `'default'`.
   */
  profileId?: string;
  /**
   * Prefix of the IndexedDB database names: 1-64 letters, digits, "_", "." or single "-", starting
   * with a letter or digit, not ending in "-" (`INVALID_ARGUMENT` otherwise). Default `'mneme'`.
   */
  storageName?: string;
  /**
   * Run the SDK in a dedicated Worker (default `true` when the environment has `Worker`).
   * `false` runs it in the calling thread: for tests, Node, or hosts that run their own worker.
   */
  inWorker?: boolean;
  /**
   * The embedding model: a model id (`'Xenova/all-MiniLM-L6-v2'` is the default), your own
   * {@link Embedder}, or `false` for lexical memory only. In worker mode a custom embedder
   * keeps running in the calling thread; the worker calls it through the worker boundary.
   * A model id without `modelsBaseUrl` downloads from the Hugging Face hub the first time
   * something is embedded (a write, a search, or memories lacking a vector when the client
   * opens): a host that asks the person first passes `false` and calls `useEmbedder(id)` once
   * they agree; memories stored meanwhile are embedded then.
   */
  embedder?: string | Embedder | false;
  /**
   * The chat model for `chat.send` and for the memory work (facts, conflicts, profile, summaries):
   * your own {@link ChatModel} (any engine or server), or a {@link ChatModelSpec} the SDK loads on
   * first use (WebLLM, the CPU engine, or an OpenAI-compatible server). Without one, memory still
   * works: the user's own messages are stored and retrieved. In worker mode it stays in the
   * calling thread. Change it later with `chat.useModel`.
   */
  chatModel?: ChatModel | ChatModelSpec;
  /**
   * The queue of memory work after replies (fact extraction, profile updates, summaries): attempts
   * per job before it is marked failed (default 5; a failed job stays listed until retried), jobs
   * per model call (default 8), and the delay between attempts (2 s, then ×3, at most 10 min, ±25 %).
   */
  outbox?: { maxAttempts?: number; batchSize?: number; backoff?: BackoffOptions };
  /**
   * URL (browser) or folder (Node) holding models in transformers.js layout
   * (`<org>/<name>/config.json`, `onnx/…`). When set, models load only from there and never
   * from the hub. Default: unset, models come from the Hugging Face hub and the browser caches them.
   */
  modelsBaseUrl?: string;
  /**
   * Nearest-neighbour index: `flat` (exact scan), `int8` (quantised scan, exact re-rank) or `voy`
   * (WASM k-d tree). Default: the one the benchmark measured fastest at 1k–100k memories (README).
   */
  vectorIndex?: 'flat' | 'int8' | 'voy';
  /**
   * Days to keep memories of each kind, e.g. `{ turn: 90 }` (above 0, at most 36,500); older ones
   * are deleted (text, vector and index entries together) by `memories.sweep()`, which also runs
   * when the client opens. Kinds not named are kept until they decay into the archive. Default: no
   * retention limit. Change it at run time with `client.privacy.set`.
   */
  retention?: Partial<Record<MemoryKind, number>>;
  /**
   * "Do not remember" rules: a memory that falls under one is never stored (`DO_NOT_REMEMBER`),
   * extracted facts that do are dropped, and in conversations (turns, titles, summaries) the part
   * that matches is replaced by `[withheld: <rule>]` before it is stored or sent to the model.
   * Built-in rules: `card-number`, `password`, `health`, `government-id`; `patterns` are extra
   * regular expressions (case-insensitive). Default: none. Change them with `client.privacy.set`.
   */
  doNotRemember?: { rules?: PrivacyRuleName[]; patterns?: string[] };
  /** Ranking weights; unset fields keep their defaults ({@link DEFAULT_RANKING}). */
  ranking?: Partial<RankingWeights>;
  /** Days after which a memory's recency signal halves. Default 30. */
  recencyHalfLifeDays?: number;
  /**
   * Most texts embedded per model call. Default 32. A model slow enough that a batch holds the worker
   * for more than 25 ms gets smaller batches (down to 8), so a search that arrives meanwhile is not kept waiting.
   */
  embedBatchSize?: number;
  /**
   * Encrypt this profile at rest with a passphrase: unlocks it when it is already encrypted,
   * encrypts it when it is not. Without this option an encrypted profile opens locked.
   */
  encryption?: { passphrase: string };
  /** Model download and load progress. */
  onProgress?: ProgressCallback;
  /**
   * URL of the memory worker script. Default: the worker bundled with the SDK. Only hosts with
   * unusual bundler setups need this.
   */
  workerUrl?: string | URL;
}

/**
 * Defaults in one place. The fusion weights are the benchmark's choice (`npm run bench:locomo`,
 * LoCoMo dev split, local word-vector embedder, recall@10): BM25 weight 0.7 with similarity 0.25
 * gives 0.639 (MRR 0.506) on a plateau from 0.2 to 0.35 similarity (0.637–0.646), against 0.611
 * for BM25 alone and 0.547 for the earlier 0.7 / 0.25 split. Recency and importance break near-ties.
 * The later ones (neighbour, floor, speaker, session, time, feedback, spread, neighbourTerms, mention) were chosen by
 * leave-one-conversation-out cross-validation on the same split (README, Benchmarks): time 0.3 in every fold,
 * feedback and spread never; neighbour words 0.3 with neighbour 0.3 and speaker 0.5 in every fold of the third round.
 * Fourth round: spelling 0.3 (chosen in the two folds where it changes anything, never a loss); lexicalFeedback and
 * termNeighbours measured and not chosen (off).
 */
export const DEFAULT_RANKING: RankingWeights = {
  similarity: 0.25,
  lexical: 0.7,
  recency: 0.03,
  importance: 0.02,
  neighbour: 0.3,
  relevanceFloor: 0.05,
  speaker: 0.5,
  session: 0,
  time: 0.3,
  feedback: 0,
  spread: 0,
  neighbourTerms: 0.3,
  mention: 0,
  lexicalFeedback: 0,
  termNeighbours: 0,
  spelling: 0.3,
};

export const DEFAULTS = {
  profileId: 'default',
  storageName: 'mneme',
  embedder: 'Xenova/all-MiniLM-L6-v2',
  vectorIndex: 'int8',
  recencyHalfLifeDays: 30,
  embedBatchSize: 32,
  searchLimit: 10,
  maxSearchLimit: 200,
  importance: 0.5,
} as const;

/**
 * A chat model by engine and id, created and loaded by the SDK (see src/models/chat-catalog.ts):
 * - `webllm`: WebLLM on WebGPU, in its own worker (`SmolLM2-360M-Instruct-q4f16_1-MLC`, …);
 * - `transformers`: transformers.js on the CPU (WebAssembly), for browsers without WebGPU;
 * - `openai`: an OpenAI-compatible server (Ollama, LM Studio): prompts, memories included, leave the tab.
 */
export type ChatModelSpec =
  | { engine: 'webllm'; model: string }
  | { engine: 'transformers'; model: string; dtype?: string }
  | { engine: 'openai'; baseUrl: string; model: string; apiKey?: string };
