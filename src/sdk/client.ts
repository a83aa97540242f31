import type { ChatMessage, ChatModel, Embedder } from '../core/ports';
import type { ChatModelSpec } from './options';
import type { VerifyOptions, VerifyReport } from './maintenance';
import type { PreferencesApi, PrivacyApi } from './privacy';
import type { SyncApi } from './sync';
import type {
  ChatModelInfo,
  ChatReply,
  EmbedderStatus,
  OutboxJob,
  OutboxState,
  OutboxSummary,
  SendOptions,
  AddMemoryInput,
  AuditEntry,
  ContextBundle,
  AddMemoryOptions,
  LongCallOptions,
  MemoryEventListener,
  ListOptions,
  MemoryItem,
  MemoryKind,
  MemoryPatch,
  EncryptionStatus,
  Episode,
  EpisodeMatch,
  ExportOptions,
  ProfileDeleteOptions,
  ImportOptions,
  ImportReport,
  MemoryStatus,
  ProfileInfo,
  ProfileEntry,
  ProfilePatch,
  ProfileProposalResult,
  RememberReport,
  SweepReport,
  UserProfile,
  Session,
  SessionSummary,
  Turn,
  StorageInfo,
  SearchOptions,
  SearchResult,
} from './types';

/** The mem0-like memory API: what a host calls to store and find memories. */
export interface MemoriesApi {
  /** Stores one memory, embeds it when an embedder is usable, and returns it. */
  add(text: string, options?: AddMemoryOptions): Promise<MemoryItem>;
  /**
   * Stores many memories in batches, reporting `{ phase: 'ingest', loaded, total }`. Each batch
   * is written in one transaction; an abort stops before the next batch and rejects with
   * `ABORTED` (batches already written stay).
   */
  addMany(inputs: AddMemoryInput[], options?: LongCallOptions): Promise<MemoryItem[]>;
  /** Ranked hybrid (dense + BM25) search; BM25 alone when no embedder is usable. */
  search(query: string, options?: SearchOptions): Promise<SearchResult[]>;
  get(id: string): Promise<MemoryItem | undefined>;
  list(options?: ListOptions): Promise<MemoryItem[]>;
  /** Changes a memory; a new text is re-embedded. Rejects with `NOT_FOUND` for an unknown id. */
  update(id: string, patch: MemoryPatch): Promise<MemoryItem>;
  /** Deletes the memory, its vector and its index entries together. Unknown ids are ignored. */
  delete(id: string): Promise<void>;
  count(): Promise<number>;
  /** The audit trail of the whole profile (memories, profile, episodes), newest first; default 200 entries. */
  audit(limit?: number): Promise<AuditEntry[]>;
  /** Every change of one memory (who, when, before → after), oldest first; kept after a delete. */
  history(id: string): Promise<AuditEntry[]>;
  /**
   * Remembers an exchange. With a `chatModel`: extracts standalone facts and resolves each
   * against similar stored facts (contradiction → supersede, complementary → add, clarification →
   * merge, identical → skip); a model answer that fails its schema twice rejects with
   * `LLM_OUTPUT_INVALID` and writes nothing for that fact. Without one: stores the user's messages.
   */
  remember(messages: ChatMessage[], options?: { sourceTurnId?: string; signal?: AbortSignal }): Promise<RememberReport>;
  /** Runs the retention and decay policies now (they also run when the client opens). */
  sweep(): Promise<SweepReport>;
  /** Brings a memory back from the archive. */
  restore(id: string): Promise<MemoryItem>;
}

/**
 * Encryption at rest (opt-in per profile): AES-GCM under a key derived from a passphrase with
 * PBKDF2-SHA-256 (600,000 iterations). The passphrase is never stored; forgetting it loses the data.
 */
export interface EncryptionApi {
  status(): Promise<EncryptionStatus>;
  /** Seals every record of this profile under `passphrase`. Rejects if already enabled. */
  enable(passphrase: string): Promise<void>;
  /** Loads the key; `WRONG_PASSPHRASE` without touching data when it does not fit. */
  unlock(passphrase: string): Promise<void>;
  /** Forgets the key and every decrypted memory held in memory; calls then answer `LOCKED`. */
  lock(): Promise<void>;
  /**
   * A new passphrase and a new data key: every record is re-encrypted under a fresh random key
   * wrapped for `next` (progress through `onProgress`), so neither the old passphrase nor a copy
   * of the old key envelope opens anything written afterwards. Where the browser has Storage
   * Buckets (Chromium), the profile is copied into a new bucket and the old one deleted: no old
   * ciphertext stays on disk. If the tab closes midway, the profile stays under the old
   * passphrase and the next `unlock` with it finishes the change. Other tabs are locked.
   */
  changePassphrase(current: string, next: string, options?: LongCallOptions): Promise<void>;
  /** The same as {@link changePassphrase} keeping the passphrase: a new data key only. */
  rotateKey(passphrase: string, options?: LongCallOptions): Promise<void>;
  /** Stores every record in clear again. */
  disable(passphrase: string): Promise<void>;
}

/**
 * The profiles on this device. A client works on one profile; to switch, close it and create a
 * client with another `profileId` (creating a client creates its profile).
 */
export interface ProfilesApi {
  /** Most recently opened first. */
  list(): Promise<ProfileInfo[]>;
  rename(id: string, name: string): Promise<ProfileInfo>;
  /**
   * Deletes another profile and everything in it. The open profile cannot delete itself. An
   * encrypted profile needs its passphrase, or `forgotPassphrase: true` (`PASSPHRASE_REQUIRED`).
   */
  delete(id: string, options?: ProfileDeleteOptions): Promise<void>;
}

/** The user's data as a whole: take it out, bring it back, or erase it. */
export interface DataApi {
  /**
   * The whole profile (memories, vectors, every memory layer, archive and audit trail) as one
   * JSON text, sealed with `passphrase` when given. Rejects with `LOCKED` while locked, and for an
   * encrypted profile with `PASSPHRASE_REQUIRED` unless given `passphrase` or `plaintext: true`.
   */
  export(options?: ExportOptions): Promise<string>;
  /**
   * Validates the whole file first (`INVALID_IMPORT` names the problem and nothing changes), then
   * writes it in one transaction. Vectors from another embedding model are re-embedded in the
   * background instead of being mixed in.
   */
  import(text: string, options?: ImportOptions): Promise<ImportReport>;
  /**
   * Deletes every memory, vector and layer record of this profile (the profile itself stays). With
   * sync on, every paired device is emptied too (the deletions sync); sync stays set up. To clear
   * only this device, disable sync first.
   */
  wipe(): Promise<void>;
}

/** The browser's storage for this origin. */
export interface StorageApi {
  estimate(): Promise<StorageInfo>;
  /**
   * Asks the browser to keep this origin's data even under storage pressure. Call it from a user
   * action with a clear reason shown ("keep your memories even when the disk is nearly full");
   * browsers may decide silently. Resolves to whether storage is now persistent.
   */
  persist(): Promise<boolean>;
}

/** Upkeep of the profile's storage and indexes. */
export interface MaintenanceApi {
  /**
   * Reads every record, vector block and index entry of the profile and checks they agree
   * (see {@link VerifyCheck}). With `repair` (the default) it rebuilds what can be rebuilt: the
   * search indexes from storage, vectors by embedding again, stray vectors and records removed.
   * Content that cannot be read is reported, never deleted. Runs under the profile's write lock:
   * other tabs wait for it.
   */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  /**
   * Removes what deletes left on disk. A deleted memory, turn or session stays readable in the
   * browser's storage files until they are rewritten; this copies the profile into a new storage
   * bucket and deletes the old one (Chromium; elsewhere it does nothing and resolves false). It runs
   * by itself in the background after deletes (and when the client closes); call it to be sure
   * now, e.g. after forgetting something sensitive.
   */
  compact(options?: LongCallOptions): Promise<boolean>;
}

/** Conversations: the working-memory layer. Every turn is stored as soon as it is appended. */
export interface SessionsApi {
  create(title?: string): Promise<Session>;
  /** Most recently active first. */
  list(): Promise<Session[]>;
  get(id: string): Promise<Session | undefined>;
  rename(id: string, title: string): Promise<Session>;
  /** Deletes the session and all of its turns. */
  delete(id: string): Promise<void>;
  /** Stores one message; an untitled session takes its title from the first user message. */
  append(sessionId: string, turn: { role: Turn['role']; content: string }): Promise<Turn>;
  /** Oldest first; summarised (archived) turns only with `includeArchived`. */
  turns(sessionId: string, options?: { includeArchived?: boolean }): Promise<Turn[]>;
  /** The session's rolling summary of its older turns, if it has one yet. */
  summary(sessionId: string): Promise<SessionSummary | undefined>;
  /**
   * With a `chatModel`: when the session holds more than `threshold` (20) working turns, folds the
   * oldest `batch` (10) into the rolling summary and archives them. This also runs by itself after
   * each append (in the background). Without a chat model it does nothing and resolves undefined.
   */
  summarise(sessionId: string, options?: { threshold?: number; batch?: number }): Promise<SessionSummary | undefined>;
}

/** Episodic memory: tasks, the actions taken with their outcomes, and lessons learned. */
export interface EpisodesApi {
  startTask(task: string): Promise<Episode>;
  /** Stored at once: an open episode survives a reload and can be resumed. */
  recordAction(episodeId: string, action: string, outcome: string): Promise<Episode>;
  completeTask(episodeId: string, success: boolean, lessons?: string[]): Promise<Episode>;
  get(episodeId: string): Promise<Episode | undefined>;
  /** Newest first; `list('open')` gives the episodes to resume. */
  list(status?: Episode['status']): Promise<Episode[]>;
  /** Past episodes most like `task` (dense + lexical), best first. */
  similar(task: string, limit?: number): Promise<EpisodeMatch[]>;
}

/** The structured user profile: the model proposes, the user decides. */
export interface ProfileApi {
  /** The profile, and every entry behind it with who set it, pins, rejections and source turns. */
  get(): Promise<{ profile: UserProfile; entries: ProfileEntry[] }>;
  /** The user's own changes: they always apply and the model never changes them afterwards. */
  update(patches: ProfilePatch[]): Promise<ProfileProposalResult>;
  /**
   * Changes proposed by a language model (the assistant's, or a host's own): validated
   * (`LLM_OUTPUT_INVALID` for a malformed patch), applied where allowed, refused with the reason
   * where the user set, pinned or rejected the entry.
   */
  propose(patches: unknown[], sourceTurnId?: string): Promise<ProfileProposalResult>;
  pin(entryId: string, pinned: boolean): Promise<void>;
  /** Hides a value the model proposed and stops it from being proposed again. */
  reject(entryId: string): Promise<void>;
  /** Every change of the profile (who, when, before → after, source turn), oldest first. */
  history(): Promise<AuditEntry[]>;
}

export interface ContextBuildOptions {
  /** Include this session's recent turns. */
  sessionId?: string;
  /** Tokens for the memory sections; default 1,500. */
  budget?: number;
  /** Tokens for the recent turns; default 1,000. */
  turnBudget?: number;
  /** Memories retrieved before the budget is applied (the budget decides how many fit); default 48. */
  limit?: number;
  /**
   * From this place of the ranked memories on (0-based), a long memory is shown as an excerpt: its
   * first sentence and the one that shares most words with the query. Earlier ones are always
   * whole. Default 10; `Infinity` shows every memory whole.
   */
  excerptFrom?: number;
  /**
   * The memory pattern to use: `combined` (default: profile, memories, past tasks, summary and
   * recent turns), or one alone: `full-history`, `sliding-window`, `semantic`, `profile`, `episodic`.
   */
  strategy?: ContextStrategy;
  /** Retrieve only memories of these kinds; default note, fact, turn, preference and summary. */
  kinds?: MemoryKind[];
  /** Retrieve only memories valid at this instant (epoch ms), e.g. to answer as of a past date. */
  asOf?: number;
}

export type ContextStrategy = 'combined' | 'full-history' | 'sliding-window' | 'semantic' | 'profile' | 'episodic';

/** The prompt a model should see for a query: the host may send it to any model it likes. */
export interface ContextApi {
  /**
   * Retrieves the profile, the relevant memories, similar past episodes and the session's recent
   * turns in parallel, and assembles them into XML-tagged sections within the token budget.
   * Counts use an estimate until a model tokenizer is loaded.
   */
  build(query: string, options?: ContextBuildOptions): Promise<ContextBundle>;
}

/** What `createMemoryClient` returns: the same interface in a worker and in-process. */
/**
 * The assistant: one call per chat turn, and the chat model it talks to. Memory work after a reply
 * (facts, profile, summary) runs from the outbox; see {@link OutboxApi}.
 */
export interface ChatApi {
  /**
   * Stores the user's message, assembles the context from every memory layer, streams the reply
   * from the chat model (`onToken`), stores it and queues the memory work. Rejects with
   * `NO_CHAT_MODEL` before storing anything when no chat model is set.
   */
  send(sessionId: string, text: string, options?: SendOptions): Promise<ChatReply>;
  /** Answers the session's last message again; the previous reply moves to the archive. */
  regenerate(sessionId: string, options?: SendOptions): Promise<ChatReply>;
  /**
   * Sets the chat model for replies and memory work: a {@link ChatModel} of the host's, a
   * {@link ChatModelSpec} (loaded now, with download progress), or `null` for none. Replaces and
   * unloads the previous one. Resolves with the new model's info once it is ready.
   */
  useModel(model: ChatModel | ChatModelSpec | null, options?: LongCallOptions): Promise<ChatModelInfo | undefined>;
  /** The chat model in use, if any. */
  model(): Promise<ChatModelInfo | undefined>;
}

/** The queue of memory work that runs after replies: visible, retryable, never silently dropped. */
export interface OutboxApi {
  /** Jobs, oldest first; only those in `state` when given. */
  list(state?: OutboxState): Promise<OutboxJob[]>;
  /** Runs a failed job again, with all its attempts. */
  retry(id: string): Promise<OutboxJob>;
  summary(): Promise<OutboxSummary>;
  /** Resolves once every job due now has run (tests, "sync before export"). */
  drain(): Promise<void>;
}

export interface MemoryClient {
  readonly mode: 'worker' | 'in-process';
  readonly chat: ChatApi;
  readonly outbox: OutboxApi;
  readonly memories: MemoriesApi;
  readonly sessions: SessionsApi;
  readonly episodes: EpisodesApi;
  readonly profile: ProfileApi;
  readonly context: ContextApi;
  readonly encryption: EncryptionApi;
  readonly profiles: ProfilesApi;
  readonly data: DataApi;
  readonly storage: StorageApi;
  readonly maintenance: MaintenanceApi;
  /** Retention and "do not remember" rules, changed at run time (the chat model stays loaded). */
  readonly privacy: PrivacyApi;
  /** The host app's own choices for this profile (sealed when it is encrypted). */
  readonly preferences: PreferencesApi;
  /** Sync across devices, end-to-end encrypted, through a CouchDB-compatible server. */
  readonly sync: SyncApi;
  /** Works while locked, so a UI can tell what to ask for. */
  status(): Promise<MemoryStatus>;
  /** Calls `listener` on every change (this client's and other tabs'); returns the unsubscribe. */
  subscribe(listener: MemoryEventListener): () => void;
  /**
   * Embeds texts with the client's embedder (unit vectors). Rejects with `MODEL_NOT_FOUND` /
   * `MODEL_LOAD_FAILED` when no embedder is usable. In worker mode the vectors are transferred.
   */
  embed(texts: string[], options?: LongCallOptions & { kind?: 'query' | 'passage' }): Promise<Float32Array[]>;
  /**
   * Switches the embedding model (a catalog or hub id, or `false` for keyword search only). The
   * new model loads first (progress through `onProgress`); a model that cannot load rejects and
   * leaves the current one in place. Then every memory is re-embedded in a background job that
   * survives reloads; until it finishes, search is lexical and `status().reembedding` says how far
   * it is. In-process clients also accept an {@link Embedder} object.
   */
  useEmbedder(model: string | false | Embedder, options?: LongCallOptions): Promise<EmbedderStatus>;
  /** Closes the database and stops the worker. Later calls reject with `CLOSED`. */
  close(): Promise<void>;
}
