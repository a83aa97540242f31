/**
 * The memories API as pure logic on ports: add / addMany / search / get / list / update / delete. Items are cached
 * for ranking and filtering; the store is the truth, and every write reaches it (text and vector in one transaction)
 * before the caches and indexes change.
 */
import { DEFAULTS, type RankingWeights } from '../../sdk/options';
import { MemoryError, throwIfAborted } from '../../sdk/errors';
import type {
  AddMemoryInput,
  AuditEntry,
  ChangeActor,
  ListOptions,
  LongCallOptions,
  MemoryItem,
  MemoryPatch,
  SearchOptions,
  SearchResult,
} from '../../sdk/types';
import type { Clock, LexicalIndex, MemoryStore, StoredVector, VectorIndex } from '../ports';
import { rankHybrid } from '../ranking/hybrid';
import { feedbackQuery } from '../ranking/feedback';
import { standingCandidates } from '../ranking/standing';
import { SearchRefinements } from '../ranking/refine';
import { threadOf } from '../ranking/neighbours';
import { LexicalSnapshots } from './lexical-snapshot';
import { mergeAudit, memoryAudit, updateAction } from './memory-audit';
import { indexDifferences, type IndexDifferences } from './index-differences';
import { accessDay, effectiveImportance } from '../archive/policies';
import type { EmbedderSlot } from './embedder-slot';
import * as ingest from './memory-ingest';
import { searchFilter } from './search-filter';
import * as check from './validate';

export interface MemoryServiceDeps {
  store: MemoryStore;
  embedder: EmbedderSlot;
  /** A new lexical index, or one restored from a snapshot. */
  createLexicalIndex: (snapshot?: string) => LexicalIndex;
  createVectorIndex: (dimension: number) => VectorIndex;
  clock: Clock;
  ranking: RankingWeights;
  recencyHalfLifeDays: number;
  embedBatchSize: number;
  /** The "do not remember" rule a text falls under, if any (see core/archive/policies). */
  blockedBy?: (text: string) => string | undefined;
  /** Told after every committed write: the ids written or deleted and the vectors stored. */
  onCommitted?: (ids: string[], vectors: StoredVector[]) => void;
}

/** The memories of one profile: its store, and the caches and indexes over it. */
export class MemoryService {
  readonly #deps: MemoryServiceDeps;
  readonly #items = new Map<string, MemoryItem>();
  readonly #lexical: LexicalIndex;
  #vectors: VectorIndex | undefined;
  /** Relevance floor, speakers, sessions and neighbours around the fused ranking. */
  readonly #refinements = new SearchRefinements();
  /** How many memories of each kind, rebuilt lazily after changes: a search for a kind nobody has costs nothing. */
  #kinds: Map<string, number> | undefined;
  /** Off while memories are being re-embedded for a new model: a half-built index would skew ranking. */
  #denseSearch = true;
  /** Creation times are kept strictly increasing, so lists keep the order memories were added in. */
  #lastCreatedAt = -Infinity;

  readonly #snapshots: LexicalSnapshots;
  readonly #host: ingest.IngestHost;

  private constructor(deps: MemoryServiceDeps, lexical: LexicalIndex, snapshots: LexicalSnapshots) {
    this.#deps = deps;
    this.#lexical = lexical;
    this.#snapshots = snapshots;
    this.#host = {
      store: deps.store,
      embedder: deps.embedder,
      clock: deps.clock,
      embedBatchSize: deps.embedBatchSize,
      // Same-millisecond additions (a batch) step by a microsecond to keep their order.
      nextCreatedAt: (now) => (this.#lastCreatedAt = Math.max(now, this.#lastCreatedAt + 0.001)),
      checkAllowed: (text) => void this.#checkAllowed(text),
      get: (id) => this.#items.get(id),
      all: () => this.all(),
      committed: (items, vectors) => {
        const byId = new Map(vectors.map((vector) => [vector.id, vector.vector]));
        // The batch is indexed whole before it counts towards the next lexical snapshot.
        for (const item of items) this.#remember(item, byId.get(item.id), false);
        this.#changed(items.length);
        this.#deps.onCommitted?.(
          items.map((item) => item.id),
          vectors,
        );
      },
    };
  }

  /**
   * Loads every item and the current model's vectors into the in-memory indexes; the lexical index starts from its snapshot
   * (memories changed since are indexed again). The three reads run at once, each loaded into its index as it arrives.
   */
  static async open(deps: MemoryServiceDeps): Promise<MemoryService> {
    const { store, embedder, createLexicalIndex, createVectorIndex } = deps;
    const [snapshots, model] = [new LexicalSnapshots(deps.store, deps.clock), embedder.modelId];
    const [items, lexical, vectors] = await Promise.all([
      store.all(),
      snapshots.load(createLexicalIndex),
      model ? store.vectorChunks(model).then((chunks) => ingest.loadVectors(chunks, createVectorIndex)) : undefined,
    ]);
    const service = new MemoryService(deps, snapshots.restore(items, lexical), snapshots);
    for (const item of items) {
      service.#items.set(item.id, item);
      service.#lastCreatedAt = Math.max(service.#lastCreatedAt, item.createdAt);
    }
    service.#vectors = vectors;
    // Saves re-indexing next time, in the background; a full disk must not keep the profile from opening.
    if (snapshots.pending > 100) void service.checkpoint().catch(() => undefined);
    return service;
  }

  /** Saves the lexical index so the next open does not re-index every memory. */
  checkpoint(): Promise<void> {
    return this.#snapshots.save(this.#lexical, () => [...this.#items.values()]);
  }

  #changed(count: number): void {
    if (this.#snapshots.changed(count)) void this.checkpoint().catch(() => undefined);
  }

  get size(): number {
    return this.#items.size;
  }

  /** `id` is for callers inside the core that must name the memory before it exists (episodes). */
  async add(input: AddMemoryInput, signal?: AbortSignal, actor: ChangeActor = 'user', id?: string): Promise<MemoryItem> {
    const [item] = await ingest.ingestBatch(this.#host, [input], signal, actor, id === undefined ? [] : [id]);
    return item!;
  }

  /** The latest changes of every kind of record, newest first (at most 1,000). */
  recentAudit(limit = 200): Promise<AuditEntry[]> {
    return this.#deps.store.recentAudit(Math.min(Math.max(1, Math.floor(limit)), 1000));
  }

  /** Every recorded change of one memory, oldest first. */
  history(id: string): Promise<AuditEntry[]> {
    return this.#deps.store.history(id);
  }

  addMany(inputs: AddMemoryInput[], options: LongCallOptions = {}): Promise<MemoryItem[]> {
    return this.#snapshots.during(
      () => ingest.ingestMany(this.#host, inputs, options),
      () => this.checkpoint(),
    );
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    const text = check.checkText(query, 'query');
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? DEFAULTS.searchLimit)), DEFAULTS.maxSearchLimit);
    const accept = searchFilter(this.#items, options, this.#deps.clock.now()); // validates the options first
    if (options.kinds && !options.kinds.some((kind) => this.#countOf(kind) > 0)) return [];
    const pool = Math.max(limit * 5, 50);
    throwIfAborted(options.signal);
    const lexical = this.#lexical.search(text, pool, accept);
    const [queryVector] = this.#denseSearch ? ((await this.#deps.embedder.tryEmbed([text], 'query', options.signal)) ?? []) : [];
    throwIfAborted(options.signal);
    const now = this.#deps.clock.now();
    const standing = standingCandidates(this.#items.values(), options.candidates, accept, now);
    const rank = async (vector: Float32Array | undefined) => {
      const dense = vector && this.#vectors ? this.#vectors.search(vector, pool, accept) : [];
      const floor =
        dense.length > 0 ? await this.#refinements.floor(vector!, this.#deps.ranking, this.#deps.embedder) : undefined;
      return rankHybrid({
        ...{ dense, lexical, items: this.#items, weights: this.#deps.ranking, now, ...standing },
        recencyHalfLifeDays: this.#deps.recencyHalfLifeDays,
        denseAvailable: queryVector !== undefined,
        importanceOf: (item) => effectiveImportance(item, now),
        ...(floor !== undefined ? { denseFloor: floor } : {}),
      });
    };
    let ranked = await rank(queryVector);
    const moved = feedbackQuery(queryVector, ranked, this.#deps.ranking.feedback ?? 0, this.#vectors);
    if (moved) ranked = await rank(moved); // feedback.ts: again, with the query moved towards its best results
    const expand = { lexical: this.#lexical, hits: lexical, pool, accept, signal: options.signal, embedder: this.#deps.embedder };
    ranked = await this.#refinements.expand(ranked, text, { ...expand, weights: this.#deps.ranking, items: this.#items });
    const refineOptions = { weights: this.#deps.ranking, items: this.#items, limit, accept, now, lexical };
    const spread = this.#refinements.refine(ranked, text, refineOptions); // the shown results lend to their neighbours
    return spread.slice(0, limit).map((result, index) => ({ ...result, rank: index + 1 }));
  }

  /** Embeds every memory without a vector from the current model (see {@link embedMissing}); how many were embedded. */
  embedMissing(signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<number> {
    return ingest.embedMissing(this.#host, signal, onProgress);
  }

  /** Memories without a vector from the current model (they are found by keywords only). */
  get missingVectors(): number {
    return ingest.countMissingVectors(this.#items.values(), this.#deps.embedder.modelId);
  }

  /** Where this service's caches and indexes differ from storage (see {@link indexDifferences}). */
  differences(stored: MemoryItem[], vectorIds: ReadonlySet<string>): IndexDifferences {
    return indexDifferences({ items: this.#items, lexical: this.#lexical, vectors: this.#vectors }, stored, vectorIds);
  }

  /** Turns the dense half of search off (re-embedding) and on again. */
  setDenseSearch(enabled: boolean): void {
    this.#denseSearch = enabled;
  }

  /** Whether a text may be stored under the user's "do not remember" rules. */
  allowed(text: string): boolean {
    return this.#deps.blockedBy?.(text) === undefined;
  }

  /** Marks memories as used today (to the day, see {@link accessDay}); `ownDay`: each keeps its own. No audit. */
  async touch(ids: string[], ownDay = false): Promise<void> {
    const today = accessDay(this.#deps.clock.now());
    const items = ids.flatMap((id) => {
      const item = this.#items.get(id);
      const day = ownDay && item?.lastAccessedAt !== undefined ? accessDay(item.lastAccessedAt) : today;
      return item && item.lastAccessedAt !== day ? [{ ...item, lastAccessedAt: day }] : [];
    });
    if (items.length === 0) return;
    await this.#deps.store.putMany(items, []);
    items.forEach((item) => this.#items.set(item.id, item));
  }

  /**
   * Moves a memory into the cold archive (`archivedAt` set: it leaves default search) or back out
   * of it (refreshed as if just used). Its text and vector do not change. Audited.
   */
  async setArchived(id: string, archivedAt: number | undefined, actor: ChangeActor, reason?: string): Promise<MemoryItem> {
    const current = this.#items.get(id);
    if (!current) throw new MemoryError('NOT_FOUND', `No memory with id ${id}`);
    const { archivedAt: _at, archiveReason: _reason, ...rest } = current;
    const next: MemoryItem =
      archivedAt === undefined
        ? { ...rest, lastAccessedAt: accessDay(this.#deps.clock.now()) }
        : { ...rest, archivedAt, archiveReason: 'decayed' };
    const action = archivedAt === undefined ? 'restore' : 'archive';
    await this.#deps.store.putMany([next], [], [memoryAudit(this.#deps.clock.now(), actor, action, id, current, next, reason)]);
    this.#items.set(id, next);
    this.#deps.onCommitted?.([id], []);
    return next;
  }

  #checkAllowed(text: unknown): string {
    const rule = typeof text === 'string' ? this.#deps.blockedBy?.(text) : undefined;
    if (rule)
      throw new MemoryError('DO_NOT_REMEMBER', `Not stored: it falls under the "do not remember" rule ${rule}`, {
        details: { rule },
      });
    return text as string;
  }

  /** Every memory, in no particular order. */
  all(): MemoryItem[] {
    return [...this.#items.values()];
  }

  get(id: string): MemoryItem | undefined {
    return this.#items.get(id);
  }

  list(options: ListOptions = {}): Promise<MemoryItem[]> {
    return this.#deps.store.list({
      order: options.order ?? 'newest',
      limit: Math.max(0, Math.floor(options.limit ?? 100)),
      offset: Math.max(0, Math.floor(options.offset ?? 0)),
      ...(options.kinds ? { kinds: options.kinds } : {}),
    });
  }

  async update(
    id: string,
    rawPatch: MemoryPatch,
    actor: ChangeActor = 'user',
    reason?: string,
    action: AuditEntry['action'] = 'update',
  ): Promise<MemoryItem> {
    const patch = check.checkPatch(rawPatch);
    const current = this.#items.get(id);
    if (!current) throw new MemoryError('NOT_FOUND', `No memory with id ${id}`);
    const next: MemoryItem = { ...current, updatedAt: this.#deps.clock.now() };
    if (patch.text !== undefined) next.text = this.#checkAllowed(check.checkText(patch.text));
    if (patch.kind !== undefined) next.kind = check.checkKind(patch.kind);
    if (patch.importance !== undefined) next.importance = check.checkImportance(patch.importance);
    if (patch.pinned !== undefined) next.pinned = Boolean(patch.pinned);
    if (patch.metadata !== undefined) next.metadata = check.checkMetadata(patch.metadata);
    if (patch.validTo !== undefined) next.validTo = check.checkTime(patch.validTo, 'validTo');
    const vectors: StoredVector[] = [];
    if (next.text !== current.text) {
      delete next.embeddingModel;
      const [vector] = (await this.#deps.embedder.tryEmbed([next.text], 'passage')) ?? [];
      if (vector) vectors.push(ingest.storedVector(next, this.#deps.embedder.modelId!, vector));
    }
    const logged = updateAction(action, patch, current, next);
    await this.#deps.store.putMany([next], vectors, [
      memoryAudit(this.#deps.clock.now(), actor, logged, id, current, next, reason),
    ]);
    this.#remember(next, vectors[0]?.vector);
    if (next.text !== current.text && vectors.length === 0) this.#vectors?.remove(id);
    this.#deps.onCommitted?.([id], vectors);
    return next;
  }

  async delete(id: string, actor: ChangeActor = 'user', reason?: string): Promise<void> {
    if (typeof id !== 'string') throw new MemoryError('INVALID_ARGUMENT', 'id must be a string');
    const current = this.#items.get(id);
    await this.#deps.store.deleteMany(
      [id],
      current ? [memoryAudit(this.#deps.clock.now(), actor, 'delete', id, undefined, undefined, reason)] : [],
    );
    this.#forget(id);
    this.#deps.onCommitted?.([id], []);
  }

  /**
   * Brings the caches and indexes up to date with writes another tab committed: re-reads the
   * items, takes the vectors that tab announced, forgets what it deleted.
   */
  async applyRemote(ids: string[], vectors: StoredVector[]): Promise<void> {
    const items = await this.#deps.store.getMany(ids);
    const model = this.#deps.embedder.modelId;
    const byId = new Map(vectors.filter((vector) => vector.model === model).map((vector) => [vector.id, vector.vector]));
    ids.forEach((id, i) => {
      const item = items[i];
      if (!item) return this.#forget(id);
      this.#remember(item, byId.get(id));
      if (item.embeddingModel !== model) this.#vectors?.remove(id);
    });
  }

  /**
   * Writes the result of merging other devices' versions (see src/sync): stored, audited as made by
   * each change's actor with `reason`, and taken into the caches and indexes before this resolves,
   * so list and search agree at once. Not reported as local changes (they are not sent back). A
   * memory whose text changed loses its vector until it is embedded again.
   */
  async applyMerged(
    puts: { item: MemoryItem; actor: ChangeActor }[],
    deletes: { id: string; actor: ChangeActor }[],
    reason: string,
  ): Promise<void> {
    const now = this.#deps.clock.now();
    const audit = (id: string, actor: ChangeActor, after?: MemoryItem) =>
      mergeAudit(now, actor, id, this.#items.get(id), after, reason);
    if (puts.length > 0) {
      await this.#deps.store.putMany(
        puts.map((put) => put.item),
        [],
        puts.map(({ item, actor }) => audit(item.id, actor, item)),
      );
      for (const { item } of puts) {
        this.#lastCreatedAt = Math.max(this.#lastCreatedAt, item.createdAt);
        this.#remember(item, undefined);
        if (item.embeddingModel !== this.#deps.embedder.modelId) this.#vectors?.remove(item.id);
      }
    }
    const gone = deletes.filter(({ id }) => this.#items.has(id));
    if (gone.length === 0) return;
    await this.#deps.store.deleteMany(
      gone.map(({ id }) => id),
      gone.map(({ id, actor }) => audit(id, actor)),
    );
    gone.forEach(({ id }) => this.#forget(id));
  }

  #forget(id: string): void {
    this.#changed(1);
    this.#kinds = undefined;
    this.#refinements.invalidate(true);
    this.#items.delete(id);
    this.#lexical.remove(id);
    this.#vectors?.remove(id);
  }

  #countOf(kind: string): number {
    if (!this.#kinds) {
      this.#kinds = new Map();
      for (const item of this.#items.values()) this.#kinds.set(item.kind, (this.#kinds.get(item.kind) ?? 0) + 1);
    }
    return this.#kinds.get(kind) ?? 0;
  }

  #remember(item: MemoryItem, vector: Float32Array | undefined, counted = true): void {
    if (counted) this.#changed(1);
    this.#kinds = undefined;
    const before = this.#items.get(item.id); // a new memory, or one moved to another thread, changes the threads
    this.#refinements.invalidate(!before || threadOf(before) !== threadOf(item) || before.createdAt !== item.createdAt);
    this.#items.set(item.id, item);
    this.#lexical.upsert(item.id, item.text);
    if (vector) this.#indexVector(item.id, vector);
  }

  #indexVector(id: string, vector: Float32Array): void {
    this.#vectors ??= this.#deps.createVectorIndex(vector.length);
    if (vector.length === this.#vectors.dimension) this.#vectors.upsert(id, vector);
  }
}
