import type { ChatModel, Embedder } from '../core/ports';
import type { MemoryKind, ProgressCallback } from './types';

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
  /** Prefix of the IndexedDB database names. Default `'mneme'`. */
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
   */
  embedder?: string | Embedder | false;
  /**
   * The language model that extracts facts and resolves conflicts in `memories.remember`. Your
   * own {@link ChatModel} (any engine or server); without one, `remember` stores the user's
   * messages as they are. In worker mode it keeps running in the calling thread.
   */
  chatModel?: ChatModel;
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
   * Days to keep memories of each kind, e.g. `{ turn: 90 }`; older ones are deleted (text, vector
   * and index entries together) by `memories.sweep()`, which also runs when the client opens.
   * Kinds not named are kept until they decay into the archive. Default: no retention limit.
   */
  retention?: Partial<Record<MemoryKind, number>>;
  /**
   * "Do not remember" rules: text that falls under one is never stored (`DO_NOT_REMEMBER`), and
   * extracted facts that do are dropped. Built-in rules: `card-number`, `password`, `health`,
   * `government-id`; `patterns` are extra regular expressions (case-insensitive). Default: none.
   */
  doNotRemember?: { rules?: ('card-number' | 'password' | 'health' | 'government-id')[]; patterns?: string[] };
  /** Ranking weights; unset fields keep their defaults ({@link DEFAULT_RANKING}). */
  ranking?: Partial<RankingWeights>;
  /** Days after which a memory's recency signal halves. Default 30. */
  recencyHalfLifeDays?: number;
  /** Texts embedded per model call. Default 32. */
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
 */
export const DEFAULT_RANKING: RankingWeights = {
  similarity: 0.25,
  lexical: 0.7,
  recency: 0.03,
  importance: 0.02,
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
