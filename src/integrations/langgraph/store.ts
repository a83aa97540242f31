/**
 * `MnemeStore`: LangGraph.js's long-term memory store (`BaseStore`) kept in a Mneme profile, so a
 * graph's memories stay on the device and take part in the profile's hybrid search (dense + BM25 +
 * recency + importance). Every call goes through `batch`, like LangGraph's own stores: reads in a
 * batch see the store as it was before the batch, and its writes then apply in order (the last
 * `put` of a key wins). Batches of one store run one after another.
 */
import {
  BaseStore,
  InvalidNamespaceError,
  validateNamespace,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
} from '@langchain/langgraph-checkpoint';
import type { MemoryClient } from '../../sdk/client';
import { MemoryError } from '../../sdk/errors';
import { hasPrefix, matchesFilter, memoryOf, slot, storedOf, type StoredItem } from './records';

export interface MnemeStoreOptions {
  /**
   * Which fields of a value are indexed for `search(…, { query })` when a `put` does not say: JSON
   * paths as LangGraph writes them (`text`, `facts[*]`, `profile.name`), or `$` for the whole value
   * (the default, like LangGraph's stores). A `put` with `index: [...]` overrides this for its item,
   * and `index: false` keeps the item out of ranked search (it still appears after the ranked ones).
   */
  fields?: string[];
}

/** Mneme's search returns at most this many hits; more candidates come after them unranked. */
const SEARCH_HITS = 200;
/** Memories read per `list` call while taking a snapshot. */
const PAGE = 1000;
const isPut = (op: Operation): op is PutOperation => 'value' in op;
const isGet = (op: Operation): op is GetOperation => 'key' in op && 'namespace' in op && !('value' in op);
const isSearch = (op: Operation): op is SearchOperation => 'namespacePrefix' in op;

function page<T>(items: T[], offset = 0, limit = 10): T[] {
  return items.slice(offset, offset + limit);
}

export class MnemeStore extends BaseStore {
  readonly #client: MemoryClient;
  readonly #fields: string[];
  #queue: Promise<unknown> = Promise.resolve();

  /** `client`: an open Mneme client (its profile holds the store; its embedder ranks searches). */
  constructor(client: MemoryClient, options: MnemeStoreOptions = {}) {
    super();
    this.#client = client;
    this.#fields = options.fields ?? ['$'];
  }

  batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const run = this.#queue.then(() => this.#batch(operations));
    this.#queue = run.catch(() => undefined);
    return run as Promise<OperationResults<Op>>;
  }

  /** Every store item of the profile, by (namespace, key). */
  async #snapshot(): Promise<Map<string, StoredItem>> {
    const items = new Map<string, StoredItem>();
    for (let offset = 0; ; offset += PAGE) {
      const memories = await this.#client.memories.list({ kinds: ['note'], order: 'oldest', limit: PAGE, offset });
      for (const memory of memories) {
        const stored = storedOf(memory);
        if (stored) items.set(slot(stored.item.namespace, stored.item.key), stored);
      }
      if (memories.length < PAGE) return items;
    }
  }

  async #batch(operations: Operation[]): Promise<unknown[]> {
    for (const op of operations) check(op);
    const items = await this.#snapshot();
    const inOrder = [...items.values()].sort((a, b) => a.seq - b.seq);
    const results: unknown[] = [];
    const puts = new Map<string, PutOperation>();
    for (const op of operations) {
      if (isPut(op)) {
        puts.set(slot(op.namespace, op.key), op);
        results.push(undefined);
      } else if (isGet(op)) results.push(items.get(slot(op.namespace, op.key))?.item ?? null);
      else if (isSearch(op)) results.push(await this.#search(op, inOrder));
      else results.push(listNamespaces(op, inOrder));
    }
    let seq = inOrder.reduce((max, stored) => Math.max(max, stored.seq), 0);
    // A key put twice keeps its first place in the batch and its last value, as LangGraph's stores do.
    for (const op of puts.values()) {
      const existing = items.get(slot(op.namespace, op.key));
      if (op.value === null) {
        if (existing) await this.#client.memories.delete(existing.memoryId);
        continue;
      }
      const fields = op.index === false ? false : (op.index ?? this.#fields);
      const first = existing && { seq: existing.seq, createdAt: existing.item.createdAt.getTime() };
      const memory = memoryOf(op.namespace, op.key, op.value, fields, first, existing ? seq : ++seq);
      if (existing) {
        await this.#client.memories.update(existing.memoryId, {
          ...(memory.text !== existing.text ? { text: memory.text } : {}),
          metadata: memory.metadata,
        });
      } else await this.#client.memories.add(memory.text, { kind: 'note', metadata: memory.metadata });
    }
    return results;
  }

  /**
   * Without a query: the items in the order they were first put. With one: the indexed items Mneme's
   * hybrid ranking finds, best first with their scores, then the other indexed items (score 0), then
   * the unindexed ones (no score), as LangGraph's stores list items without a vector last.
   */
  async #search(op: SearchOperation, inOrder: StoredItem[]): Promise<SearchItem[]> {
    const candidates = inOrder.filter(
      ({ item }) => hasPrefix(item.namespace, op.namespacePrefix) && matchesFilter(item.value, op.filter),
    );
    if (!op.query)
      return page(
        candidates.map(({ item }) => ({ ...item })),
        op.offset,
        op.limit,
      );
    const byMemory = new Map(candidates.map((stored) => [stored.memoryId, stored]));
    const hits = await this.#client.memories.search(op.query, { limit: SEARCH_HITS, kinds: ['note'], includeArchived: true });
    const ranked: SearchItem[] = [];
    for (const { item: memory, score } of hits) {
      const stored = byMemory.get(memory.id);
      if (!stored?.indexed) continue;
      byMemory.delete(memory.id);
      ranked.push({ ...stored.item, score });
    }
    const rest = [...byMemory.values()];
    const unranked = rest.filter((stored) => stored.indexed).map(({ item }) => ({ ...item, score: 0 }));
    const unindexed = rest.filter((stored) => !stored.indexed).map(({ item }) => ({ ...item }));
    return page([...ranked, ...unranked, ...unindexed], op.offset, op.limit);
  }
}

/** Refuses what LangGraph's stores refuse, before anything is read or written. */
function check(op: Operation): void {
  if (isPut(op)) {
    validateNamespace(op.namespace, { allowReservedRoot: true });
    if (typeof op.key !== 'string') throw new InvalidNamespaceError('A key is a string');
    if (op.value !== null && (typeof op.value !== 'object' || Array.isArray(op.value)))
      throw new MemoryError('INVALID_ARGUMENT', 'A value is a JSON object (or null to delete)');
    if (op.index !== undefined && op.index !== false && !Array.isArray(op.index))
      throw new MemoryError('INVALID_ARGUMENT', 'index is false or a list of field paths');
  } else if (isGet(op)) validateNamespace(op.namespace, { allowReservedRoot: true });
  else if (isSearch(op) && op.namespacePrefix.length > 0) validateNamespace(op.namespacePrefix, { allowReservedRoot: true });
}

/** The namespaces that hold items, matching every condition, cut to `maxDepth`, sorted, one page. */
function listNamespaces(op: ListNamespacesOperation, inOrder: StoredItem[]): string[][] {
  const matches = (namespace: string[]) =>
    (op.matchConditions ?? []).every(({ matchType, path }) => {
      if (path.length > namespace.length) return false;
      const start = matchType === 'suffix' ? namespace.length - path.length : 0;
      return path.every((label, index) => label === '*' || namespace[start + index] === label);
    });
  const found = new Map<string, string[]>();
  for (const { item } of inOrder) {
    if (!matches(item.namespace)) continue;
    const namespace = op.maxDepth === undefined ? item.namespace : item.namespace.slice(0, op.maxDepth);
    found.set(namespace.join(':'), namespace);
  }
  const sorted = [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, namespace]) => namespace);
  return page(sorted, op.offset ?? 0, op.limit ?? sorted.length);
}

export type { Item, SearchItem };
