/**
 * Writing many memories at once: the batch ingest behind add / addMany (validate, embed what has
 * no vector, one transaction per batch), the catch-up that embeds memories without a vector from
 * the current model, and loading the stored vectors into a new index. The {@link MemoryService}
 * owns the caches; it lends them through an {@link IngestHost}.
 */
import { DEFAULTS } from '../../sdk/options';
import { MemoryError, throwIfAborted } from '../../sdk/errors';
import type { AddMemoryInput, ChangeActor, LongCallOptions, MemoryItem } from '../../sdk/types';
import type { Clock, MemoryStore, StoredVector, StoredVectorChunk, VectorIndex } from '../ports';
import { createId } from '../ids';
import { yieldToEventLoop } from '../yield';
import { bulkCreateAudit, memoryAudit } from './memory-audit';
import type { EmbedderSlot } from './embedder-slot';
import * as check from './validate';

/**
 * Memories written per transaction by addMany. The embedder splits its own calls into
 * `embedBatchSize` pieces, so this only sets how often progress is reported and aborts are seen.
 */
const INGEST_BATCH = 1024;

/** What the ingest needs from the service that owns the caches and indexes. */
export interface IngestHost {
  readonly store: MemoryStore;
  readonly embedder: EmbedderSlot;
  readonly clock: Clock;
  readonly embedBatchSize: number;
  /** A creation time not earlier than `now` and later than every one given before (lists keep adding order). */
  nextCreatedAt(now: number): number;
  /** Throws DO_NOT_REMEMBER when the text falls under a rule. */
  checkAllowed(text: string): void;
  get(id: string): MemoryItem | undefined;
  all(): MemoryItem[];
  /** Takes items (and their vectors) the store has just committed into the caches and indexes, and reports them. */
  committed(items: MemoryItem[], vectors: StoredVector[]): void;
}

/** A vector of the current model for an item (and the item marked as embedded by it). */
export function storedVector(item: MemoryItem, model: string, vector: Float32Array): StoredVector {
  item.embeddingModel = model;
  return { id: item.id, model, vector };
}

/** Adds memories in one transaction; `ids` presets ids by position in `inputs` (the others get new ones). */
export async function ingestBatch(
  host: IngestHost,
  inputs: AddMemoryInput[],
  signal?: AbortSignal,
  actor: ChangeActor = 'user',
  ids: readonly string[] = [],
): Promise<MemoryItem[]> {
  const now = host.clock.now();
  const { embedder } = host;
  const items: MemoryItem[] = [];
  const given: (Float32Array | undefined)[] = [];
  for (const [at, raw] of inputs.entries()) {
    const input = check.checkInput(raw);
    host.checkAllowed(input.text);
    items.push({
      id: ids[at] ?? createId(),
      text: check.checkText(input.text),
      kind: input.kind === undefined ? 'note' : check.checkKind(input.kind),
      importance: input.importance === undefined ? DEFAULTS.importance : check.checkImportance(input.importance),
      pinned: Boolean(input.pinned),
      createdAt: host.nextCreatedAt(now),
      updatedAt: now,
      validFrom: input.validFrom === undefined ? now : check.checkTime(input.validFrom, 'validFrom'),
      metadata: check.checkMetadata(input.metadata),
    });
    given.push(check.checkVector(input.vector, embedder.dimension));
  }
  if (given.some((vector) => vector) && !embedder.modelId) {
    throw new MemoryError('INVALID_ARGUMENT', 'A vector was given but the client has no embedder to compare it with');
  }
  const missing = items.filter((_, i) => !given[i]);
  const made =
    (await embedder.tryEmbed(
      missing.map((item) => item.text),
      'passage',
      signal,
    )) ?? [];
  throwIfAborted(signal);
  const vectors: StoredVector[] = [];
  let next = 0;
  items.forEach((item, i) => {
    const vector = given[i] ?? made[next++];
    if (vector) vectors.push(storedVector(item, embedder.modelId!, vector));
  });
  // A batch is recorded as one entry (see bulkCreateAudit); a single addition as its own.
  const at = host.clock.now();
  const created = items.map((item) => item.id);
  const audit =
    items.length > 1
      ? [bulkCreateAudit(at, actor, created, createId())]
      : items.map((item) => memoryAudit(at, actor, 'create', item.id, undefined, item));
  await host.store.putMany(items, vectors, audit);
  host.committed(items, vectors);
  return items;
}

/** Adds many memories, a batch per transaction, reporting progress and seeing aborts between batches. */
export async function ingestMany(
  host: IngestHost,
  inputs: AddMemoryInput[],
  options: LongCallOptions = {},
): Promise<MemoryItem[]> {
  if (!Array.isArray(inputs)) throw new MemoryError('INVALID_ARGUMENT', 'addMany expects an array');
  const added: MemoryItem[] = [];
  options.onProgress?.({ phase: 'ingest', loaded: 0, total: inputs.length });
  for (let start = 0; start < inputs.length; start += INGEST_BATCH) {
    if (start > 0) await yieldToEventLoop();
    throwIfAborted(options.signal);
    added.push(...(await ingestBatch(host, inputs.slice(start, start + INGEST_BATCH), options.signal)));
    options.onProgress?.({ phase: 'ingest', loaded: added.length, total: inputs.length });
  }
  return added;
}

/**
 * A vector index holding the stored `chunks` (its dimension the first filled chunk's; a chunk of
 * another dimension is left out, as an upsert would leave it), sized for all of them at once; none
 * when no chunk holds a vector. Each chunk loads whole, float16 rows straight into the index's own.
 */
export function loadVectors(chunks: StoredVectorChunk[], create: (dimension: number) => VectorIndex): VectorIndex | undefined {
  let count = 0;
  for (const chunk of chunks) for (const id of chunk.ids) if (id !== null) count++;
  const first = chunks.find((chunk) => chunk.ids.some((id) => id !== null));
  if (!first) return undefined;
  const index = create(first.dimension);
  index.reserve?.(count);
  for (const chunk of chunks) {
    if (chunk.dimension !== index.dimension) continue;
    if (chunk.half && index.upsertHalf) {
      index.upsertHalf(chunk.ids, chunk.half);
      continue;
    }
    const floats = chunk.floats();
    if (index.upsertMany) index.upsertMany(chunk.ids, floats);
    else
      chunk.ids.forEach(
        (id, slot) => id !== null && index.upsert(id, floats.subarray(slot * index.dimension, (slot + 1) * index.dimension)),
      );
  }
  return index;
}

/** How many of these memories have no vector from `model` (none when there is no model). */
export function countMissingVectors(items: Iterable<MemoryItem>, model: string | undefined): number {
  if (!model) return 0;
  let missing = 0;
  for (const item of items) if (item.embeddingModel !== model) missing++;
  return missing;
}

/**
 * Embeds every memory that has no vector from the current model (after an import, a merge from
 * another device, or when the embedder became available later), in batches. A memory edited
 * meanwhile is skipped: its edit already embedded it. Returns how many were embedded.
 */
export async function embedMissing(
  host: IngestHost,
  signal?: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<number> {
  const model = host.embedder.modelId;
  if (!model || !host.embedder.usable) return 0;
  const missing = host.all().filter((item) => item.embeddingModel !== model);
  let done = 0;
  let embedded = 0;
  onProgress?.(0, missing.length);
  for (let start = 0; start < missing.length; start += host.embedBatchSize) {
    throwIfAborted(signal);
    const batch = missing.slice(start, start + host.embedBatchSize);
    const made = await host.embedder.tryEmbed(
      batch.map((item) => item.text),
      'passage',
      signal,
    );
    if (!made) return done;
    const fresh = batch.flatMap((item, i) => (host.get(item.id) === item ? [{ item: { ...item }, vector: made[i]! }] : []));
    const vectors = fresh.map(({ item, vector }) => storedVector(item, model, vector));
    await host.store.putMany(
      fresh.map(({ item }) => item),
      vectors,
    );
    host.committed(
      fresh.map(({ item }) => item),
      vectors,
    );
    embedded += fresh.length;
    done += batch.length;
    onProgress?.(done, missing.length);
  }
  return embedded;
}
