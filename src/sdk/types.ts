/**
 * The public contract of Mneme: every type a host app sees. Anything not exported from
 * src/sdk/index.ts is private and may change without notice.
 *
 * Times are Unix epoch milliseconds. Ids are opaque strings.
 */
import type { OutboxSummary } from '../core/pipeline/outbox-types';
import type { ChatModelInfo } from './chat-types';
import type { SyncStatus } from './sync';
import type { ScoreExplanation, ContextBundle } from './search-types';

/** What a memory is. `note` is what a person or host writes directly; `turn` is a chat message. */
export type MemoryKind = 'note' | 'fact' | 'turn' | 'preference' | 'summary' | 'episode';

/** Plain metadata a host attaches to a memory (speaker, session date, source URL, …). */
export type MemoryMetadata = Record<string, string | number | boolean | null>;

export interface MemoryItem {
  id: string;
  text: string;
  kind: MemoryKind;
  /** 0..1; how much this memory should weigh in ranking. Default 0.5. */
  importance: number;
  /** A pinned memory never decays and is never archived by a policy. */
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
  /** Start of the period in which the memory is true (defaults to `createdAt`). */
  validFrom: number;
  /** End of that period; absent while it is still true. */
  validTo?: number;
  metadata: MemoryMetadata;
  /** Id of the embedding model that made this memory's vector; absent when it has none yet. */
  embeddingModel?: string;
  /** Last time the memory was used in a context; an access refreshes its decay. */
  lastAccessedAt?: number;
  /** Set when a policy moved the memory to the cold archive (it leaves default search). */
  archivedAt?: number;
  archiveReason?: 'decayed';
}

/** One message of a conversation. */
export interface Turn {
  id: string;
  sessionId: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  createdAt: number;
  /** Position in its session (0, 1, 2, …): the order, even for turns stored within one millisecond. */
  seq: number;
  /** Set when the turn left the working window (summarised); the raw text stays in the archive. */
  archivedAt?: number;
  /**
   * On an assistant's reply: the context the model was sent for it, kept with the reply (and sealed
   * with it when the profile is encrypted) so it can be inspected later, exactly as it was.
   */
  context?: ContextBundle;
  /** On an assistant's reply: it was stopped before the model finished. */
  stopped?: boolean;
}

/** A conversation: the working-memory layer, persisted turn by turn. */
export interface Session {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  /** Turns in the session, archived ones included. */
  turnCount: number;
}

/** Who changed something: the person, the language model, or an automatic policy. */
export type ChangeActor = 'user' | 'llm' | 'policy';

/** One entry of the append-only audit trail. */
export interface AuditEntry {
  at: number;
  actor: ChangeActor;
  /** `pin` / `unpin`: a change of `pinned` alone (any other change is an `update`). */
  action: 'create' | 'update' | 'pin' | 'unpin' | 'delete' | 'supersede' | 'merge' | 'archive' | 'restore';
  /** What kind of record changed: `memory`, `profile`, `episode`, … */
  entity: string;
  entityId: string;
  /**
   * A bulk change (`memories.addMany`): every record it touched, in order; `entityId` then names
   * the batch. `history(id)` of one of them shows the entry as that record's own.
   */
  entityIds?: string[];
  before?: unknown;
  after?: unknown;
  /** Why, in a few words (the rule, the conflict decision, the source turn). */
  reason?: string;
  /** The record was deleted since: this entry keeps what happened, no longer what it said. */
  redacted?: boolean;
}

/** The structured profile the model proposes updates to and the user controls. */
export interface UserProfile {
  name?: string;
  preferredName?: string;
  communicationStyle?: string;
  technicalLevel?: 'beginner' | 'intermediate' | 'expert';
  interests: string[];
  goals: string[];
  preferences: Record<string, string>;
  facts: string[];
}

/** The profile fields: a single text, a list of texts, or named preferences. */
export type ProfileScalarField = 'name' | 'preferredName' | 'communicationStyle' | 'technicalLevel';
export type ProfileListField = 'interests' | 'goals' | 'facts';
export type ProfileField = ProfileScalarField | ProfileListField | 'preferences';

/**
 * One entry of the profile: a scalar field, one item of a list, or one preference. `setBy: 'user'`
 * entries and pinned entries are never changed by the model; rejected entries are kept (hidden)
 * so the model does not propose them again.
 */
export interface ProfileEntry {
  /** `name`, `interests:<item>`, `preferences:<key>`, … */
  id: string;
  field: ProfileField;
  /** The preference name, for `preferences` entries. */
  key?: string;
  value: string;
  setBy: 'user' | 'llm';
  pinned: boolean;
  rejected: boolean;
  /** The turn the model read this from. */
  sourceTurnId?: string;
  /** When the entry first appeared; lists keep this order. */
  createdAt: number;
  updatedAt: number;
}

/** A change the model proposes (validated before anything is applied). */
export type ProfilePatch =
  | { op: 'set'; field: ProfileScalarField; value: string }
  | { op: 'add' | 'remove'; field: ProfileListField; value: string }
  | { op: 'set'; field: 'preferences'; key: string; value: string }
  | { op: 'remove'; field: 'preferences'; key: string };

/** What applying proposals did, entry by entry. */
export interface ProfileProposalResult {
  applied: ProfilePatch[];
  /** Refused because the user set or pinned the entry, or rejected that value before. */
  refused: { patch: ProfilePatch; reason: string }[];
}

export interface EpisodeAction {
  action: string;
  outcome: string;
  at: number;
}

/** A task the assistant worked on: what it did, how it went, what it learned. */
export interface Episode {
  id: string;
  task: string;
  /** `open` until completed; an open episode survives reloads and can be resumed. */
  status: 'open' | 'succeeded' | 'failed';
  actions: EpisodeAction[];
  lessons: string[];
  startedAt: number;
  endedAt?: number;
  /** The memory (kind `episode`) that makes this episode findable by meaning and keywords. */
  memoryId: string;
}

/** An episode found for a task, with the search result that found it. */
export interface EpisodeMatch {
  episode: Episode;
  score: number;
  explanation: ScoreExplanation;
}

/** Progress of long work (model download, batch ingest, re-embedding). */
export interface ProgressEvent {
  phase: string;
  loaded: number;
  total: number;
  text?: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** Options every long call accepts. */
export interface LongCallOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface AddMemoryInput {
  text: string;
  kind?: MemoryKind;
  importance?: number;
  pinned?: boolean;
  metadata?: MemoryMetadata;
  /** When the memory became true; defaults to now. Hosts importing history pass the original date. */
  validFrom?: number;
  /**
   * A vector the host computed itself with the client's embedder model. In worker mode its
   * buffer is transferred (zero copy), so the array is empty afterwards: pass a copy to keep it.
   */
  vector?: Float32Array;
}

export type AddMemoryOptions = Omit<AddMemoryInput, 'text'> & { signal?: AbortSignal };

export interface SearchOptions {
  /** Number of results; default 10, at most 200. */
  limit?: number;
  kinds?: MemoryKind[];
  /** Only memories valid at this instant. */
  asOf?: number;
  /** Include memories in the cold archive (decayed). Default false. */
  includeArchived?: boolean;
  /**
   * Also consider the n most recently updated and the n most important (pinned first) memories,
   * whatever the query, ranked with the others (a chat context wants what was just said and what
   * matters most). Default 0 for both: plain search returns only what matches.
   */
  candidates?: { recent?: number; important?: number };
  signal?: AbortSignal;
}

export interface ListOptions {
  kinds?: MemoryKind[];
  /** Newest first (default) or oldest first. */
  order?: 'newest' | 'oldest';
  limit?: number;
  offset?: number;
}

export type MemoryPatch = Partial<Pick<MemoryItem, 'text' | 'kind' | 'importance' | 'pinned' | 'metadata' | 'validTo'>>;

/** Where the embedder stands. `unavailable` carries the reason, so a UI can say why. */
export interface EmbedderStatus {
  state: 'disabled' | 'idle' | 'loading' | 'ready' | 'unavailable';
  model?: string;
  dimension?: number;
  reason?: string;
}

/** One entry of the profile list. Each profile's memories live in a database of their own. */
export interface ProfileInfo {
  id: string;
  /** Display name; defaults to the id. */
  name: string;
  createdAt: number;
  lastOpenedAt: number;
}

/** Encryption at rest of one profile. */
export interface EncryptionStatus {
  /** The profile's records are sealed with a passphrase-derived key. */
  enabled: boolean;
  /** Enabled and no key in memory: every memory call answers `LOCKED`. */
  locked: boolean;
}

export interface MemoryStatus {
  profileId: string;
  mode: 'worker' | 'in-process';
  memories: number;
  encryption: EncryptionStatus;
  /** `lexical` whenever no embedder is usable, or while memories are re-embedded: search still works, on BM25 alone. */
  retrieval: 'hybrid' | 'lexical';
  embedder: EmbedderStatus;
  /** Set while memories are being embedded with the current model (after a switch, an import, or a model that loaded late). */
  reembedding?: ReembedStatus;
}

/** Progress of re-embedding memories with the current embedder. */
export interface ReembedStatus {
  model: string;
  done: number;
  total: number;
}

/**
 * Something changed that a view may want to show. `source: 'other-tab'` marks changes another
 * tab or host page committed to the same profile.
 */
export type MemoryEvent =
  | { type: 'memories-changed'; ids: string[]; source: 'this-client' | 'other-tab' }
  | { type: 'encryption-changed'; status: EncryptionStatus }
  /** Another tab opened this profile with a newer schema: this client is closed; reload the page. */
  | { type: 'reload-required'; reason: string }
  /** The memory work queued after replies changed (for a discreet "memory is being updated" indicator). */
  | { type: 'outbox-changed'; summary: OutboxSummary }
  /** The chat model in use changed (`model` is undefined when none is). */
  | { type: 'chat-model-changed'; model?: ChatModelInfo }
  /**
   * The whole profile is being rewritten (encryption on or off, a new key, wipe, compaction after
   * deletes); `finished` on the last event.
   */
  | { type: 'rewriting'; reason: RewriteReason; loaded: number; total: number; finished?: boolean }
  /** Re-embedding progress; `finished` on the last event (search is hybrid again). */
  | ({ type: 'reembedding'; finished?: boolean } & ReembedStatus)
  /** Sync's state changed: connecting, caught up, offline, changes merged, an error. */
  | { type: 'sync'; status: SyncStatus };

/** Why a profile is rewritten (see the `rewriting` event). */
export type RewriteReason = 'encrypt' | 'decrypt' | 'rotate' | 'wipe' | 'compact';

export type MemoryEventListener = (event: MemoryEvent) => void;

/** What `memories.remember` did with an exchange. */
export interface RememberReport {
  /** Ids of the memories written (facts, or the raw messages when no model is set). */
  added: string[];
  /** Facts replaced by a newer, contradicting one; they stay findable "as of" their time. */
  superseded: { id: string; by: string }[];
  /** Facts rewritten with a clarification. */
  merged: string[];
  /** Facts already known. */
  skipped: number;
}

/** What a policy sweep did. */
export interface SweepReport {
  /** Decayed below the threshold: moved to the archive. */
  archived: string[];
  /** Older than their kind's retention period: deleted with vectors and index entries. */
  deleted: string[];
}

/** The rolling summary of a session's older turns (they are kept in the archive, not deleted). */
export interface SessionSummary {
  sessionId: string;
  text: string;
  /** Turns folded into it so far. */
  turnsCovered: number;
  updatedAt: number;
}

/** One unit of queued memory work. `payload` is dropped once the job is done. */
export type { OutboxJob, OutboxSummary, OutboxState } from '../core/pipeline/outbox-types';

export type * from './data-types';
export type * from './chat-types';
export type * from './search-types';
