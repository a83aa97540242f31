/**
 * Ports: the only ways the memory core touches the world. Pure logic in src/core depends on
 * these interfaces; src/storage and src/models implement them. Nothing here imports Dexie,
 * the DOM or a model library.
 */
import type {
  AuditEntry,
  Episode,
  MemoryItem,
  MemoryKind,
  ProfileEntry,
  ProgressCallback,
  Session,
  SessionSummary,
  Turn,
} from '../sdk/types';

export interface EmbedOptions {
  /** Some models embed queries and passages differently (e5's `query: ` prefix). */
  kind?: 'query' | 'passage';
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

/** Turns texts into unit-length vectors of one fixed dimension. */
export interface Embedder {
  /** Stable model id, stored beside every vector it makes. */
  readonly id: string;
  /** Vector length; known before the first call when the model's catalog entry says it. */
  readonly dimension?: number;
  embed(texts: string[], options?: EmbedOptions): Promise<Float32Array[]>;
  /** Releases the model. */
  dispose?(): Promise<void>;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Called with each new piece of text as it is generated. */
  onToken?: (text: string) => void;
  /** JSON schema the answer must follow, for engines that can constrain output. */
  jsonSchema?: Record<string, unknown>;
  maxTokens?: number;
  temperature?: number;
}

/** A chat language model. The memory core uses it for extraction, summaries and conflicts. */
export interface ChatModel {
  readonly id: string;
  /**
   * False for a model that cannot answer in a given JSON schema (a story model): the memory work
   * after a reply (facts, profile, summary) is then not given to it. Absent means it can.
   */
  readonly structuredOutput?: boolean;
  generate(messages: ChatMessage[], options?: GenerateOptions): Promise<string>;
  dispose?(): Promise<void>;
}

/** Counts tokens the way the active model does (or estimates when none is loaded). */
export interface Tokenizer {
  count(text: string): number;
}

/** Time as the core sees it; tests move it. */
export interface Clock {
  now(): number;
}

export interface StoredVector {
  id: string;
  model: string;
  vector: Float32Array;
}

/** The stored vectors of one model, a chunk at a time, as they are kept: row i is `ids[i]`'s, a null id an empty slot. */
export interface StoredVectorChunk {
  dimension: number;
  ids: readonly (string | null)[];
  /** The rows' float16 bit patterns, when stored so (see {@link VectorIndex.upsertHalf}). */
  half?: Uint16Array;
  /** The rows as float32, packed (decoded again on each call when stored as float16). */
  floats(): Float32Array;
}

/** Persistence of memory items and their vectors. */
export interface MemoryStore {
  /** Writes items, their vectors (when given) and the audit entries in one transaction. */
  putMany(items: MemoryItem[], vectors: StoredVector[], audit?: AuditEntry[]): Promise<void>;
  get(id: string): Promise<MemoryItem | undefined>;
  getMany(ids: string[]): Promise<(MemoryItem | undefined)[]>;
  list(options: { kinds?: MemoryKind[]; order: 'newest' | 'oldest'; limit: number; offset: number }): Promise<MemoryItem[]>;
  /** Every item, oldest first; used to rebuild in-memory indexes at open. */
  all(): Promise<MemoryItem[]>;
  /** Every stored vector made by `model`. */
  vectors(model: string): Promise<StoredVector[]>;
  /** The same vectors, chunk by chunk as stored: what an index loads at open (no copy per vector). */
  vectorChunks(model: string): Promise<StoredVectorChunk[]>;
  /**
   * Deletes items and their vectors together, appends the audit entries, and redacts the content
   * (before/after) of the items' earlier audit entries.
   */
  deleteMany(ids: string[], audit?: AuditEntry[]): Promise<void>;
  /** The audit trail of one record, oldest first. */
  history(entityId: string): Promise<AuditEntry[]>;
  /** The latest audit entries of every record (memories, profile, episodes, …), newest first. */
  recentAudit(limit: number): Promise<AuditEntry[]>;
  readLexicalSnapshot(): Promise<LexicalSnapshot | undefined>;
  writeLexicalSnapshot(snapshot: LexicalSnapshot): Promise<void>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface VectorHit {
  id: string;
  /** Cosine similarity (vectors are unit length, so the dot product). */
  score: number;
}

/** Nearest-neighbour search over unit vectors. */
export interface VectorIndex {
  readonly dimension: number;
  readonly size: number;
  /** Adds or replaces. */
  upsert(id: string, vector: Float32Array): void;
  /**
   * Makes room for `rows` vectors in all, ahead of adding them (optional): loading or adding
   * thousands then allocates once instead of growing again and again. Never shrinks.
   */
  reserve?(rows: number): void;
  /**
   * Adds or replaces `ids[i]` with row i of `packed` (rows of `dimension` values; a null id an empty
   * slot, skipped): a stored chunk loads as it is (optional; the storage layer's indexes have it).
   */
  upsertMany?(ids: readonly (string | null)[], packed: Float32Array): void;
  /**
   * {@link upsertMany} from float16 bit patterns, as a chunk is stored: the index decodes them
   * straight into its own rows, with no float32 copy of the chunk in between (optional).
   */
  upsertHalf?(ids: readonly (string | null)[], bits: Uint16Array): void;
  remove(id: string): void;
  has(id: string): boolean;
  search(query: Float32Array, k: number, accept?: (id: string) => boolean): VectorHit[];
  /** A copy of the stored vector, when the index keeps it exactly (query feedback uses it; optional). */
  vector?(id: string): Float32Array | undefined;
  clear(): void;
}

export interface LexicalHit {
  id: string;
  /** BM25 score; larger is better, unbounded. */
  score: number;
  /** The query's terms (as the index normalises them) this memory holds, when the index tells. */
  terms?: string[];
}

/** Keyword (BM25-style) search over memory texts. */
export interface LexicalIndex {
  readonly size: number;
  /** Adds or replaces; found by search at once, possibly indexed later (see {@link LexicalIndex.settled}). */
  upsert(id: string, text: string): void;
  remove(id: string): void;
  search(query: string, k: number, accept?: (id: string) => boolean): LexicalHit[];
  /** A text's terms as the index normalises them, each with the word it came from (query expansion uses it; optional). */
  analyse?(text: string): { word: string; term: string }[];
  /**
   * The indexed terms within `distance` edits (Levenshtein) of a term, with how many indexed memories hold each
   * (spelling.ts; optional). Texts still queued for indexing are not counted.
   */
  near?(term: string, distance: number): { term: string; frequency: number }[];
  /**
   * The indexed terms within `limit` edits of a term, a swap of neighbouring letters counted as one edit (and
   * within `limit + 1` edits when it is counted as two), each with its distance and how many indexed memories
   * hold it, in the order `near(term, limit + 1)` lists them (spelling.ts; optional: without it, spelling
   * filters `near`). Walks only the branches of the term tree within reach of `limit` edits.
   */
  closeTo?(term: string, limit: number): { term: string; frequency: number; distance: number }[];
  /** A search for terms as the index holds them, not analysed again (spelling.ts; optional). */
  searchTerms?(terms: readonly string[], k: number, accept?: (id: string) => boolean): LexicalHit[];
  has(id: string): boolean;
  clear(): void;
  /** Resolves when every text given so far is indexed (not only queued). */
  settled(): Promise<void>;
  /**
   * Holds indexing back until the returned function is called (optional; calls nest): a bulk add's
   * writes then run without indexing slices between them. Queued texts are still found by search.
   */
  defer?(): () => void;
  /** The whole index as text (deleted documents purged), to restore it without re-indexing every memory. */
  snapshot(): Promise<string>;
}

/**
 * A saved lexical index and the version (`updatedAt`) of every memory in it: on open, memories
 * missing from it or changed since are re-indexed, and memories gone since are removed.
 */
export interface LexicalSnapshot {
  takenAt: number;
  ids: string[];
  /** `updatedAt` of `ids[i]` when it was indexed. */
  versions: number[];
  data: string;
}

/** Persistence of sessions and their turns (working memory). */
export interface ConversationStore {
  putSession(session: Session): Promise<void>;
  getSession(id: string): Promise<Session | undefined>;
  /** Most recently updated first. */
  listSessions(): Promise<Session[]>;
  /** Deletes the session and every turn of it. */
  deleteSession(id: string): Promise<void>;
  /** Writes the turn and the updated session in one transaction: a crash loses neither half. */
  appendTurn(turn: Turn, session: Session): Promise<void>;
  /** Oldest first. */
  turns(sessionId: string, options: { includeArchived: boolean }): Promise<Turn[]>;
  summary(sessionId: string): Promise<SessionSummary | undefined>;
  /** Stores the new summary and archives the turns it now covers, in one transaction. */
  putSummary(summary: SessionSummary, archivedTurnIds: string[]): Promise<void>;
  /** Moves turns out of the working window into the archive (a regenerated reply); their text stays readable. */
  archiveTurns(turnIds: string[], at: number): Promise<void>;
}

/** Persistence of episodes (tasks with their actions, outcome and lessons). */
export interface EpisodeStore {
  put(episode: Episode): Promise<void>;
  get(id: string): Promise<Episode | undefined>;
  /** Newest first; only those with `status` when given. */
  list(status?: Episode['status']): Promise<Episode[]>;
  delete(id: string): Promise<void>;
}

/** Persistence of the profile's entries. */
export interface ProfileStore {
  entries(): Promise<ProfileEntry[]>;
  /** Puts and removes entries and appends the audit entries, in one transaction. */
  write(put: ProfileEntry[], remove: string[], audit: AuditEntry[]): Promise<void>;
  /** The profile's audit trail, oldest first. */
  history(): Promise<AuditEntry[]>;
}
