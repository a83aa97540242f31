/**
 * `Memory`: mem0's open-source `Memory` API over Mneme, in the browser (or Node with an IndexedDB).
 * Each user (or agent, or run) is a Mneme profile of its own (see scopes.ts); the profiles' clients
 * open on first use with the options given to the constructor, which are `createMemoryClient`'s.
 */
import type { MemoryClient } from '../../sdk/client';
import type { ChatMessage } from '../../sdk/index';
import { MemoryError } from '../../sdk/errors';
import type { MemoryClientOptions } from '../../sdk/options';
import type { MemoryItem, MemoryMetadata } from '../../sdk/types';
import { inScope, PROFILE_PREFIX, profileIdOf, ownerOf, scopeMetadata, scopeOf, type Scope, type ScopeIds } from './scopes';
import { checkFilters, matchesFilters, type Mem0Filters } from './filters';
import { eventOf, historyOf, toMem0, type Mem0Event, type Mem0HistoryEntry, type Mem0Memory, type Mem0Results } from './shapes';

export type Mem0Message = { role: 'user' | 'assistant' | 'system'; content: string };

export interface AddOptions extends ScopeIds {
  /** Stored with every memory this call writes (flat values: text, number, boolean or null). */
  metadata?: MemoryMetadata;
  /**
   * `true` (the default): the client's chat model extracts standalone facts and resolves them against
   * what is stored (see `memories.remember`); without a chat model the user's messages are kept as
   * they are. `false`: each message (system messages aside) is stored word for word.
   */
  infer?: boolean;
}

export interface SearchOptions extends ScopeIds {
  /** Metadata that results must have: a value, or `{ in: [...] }`, `{ eq }`, `{ ne }`. Ids may be given here too. */
  filters?: Mem0Filters;
  /** Most results; default 100. `limit` is accepted too. */
  topK?: number;
  limit?: number;
  /** Results scoring below this are left out. */
  threshold?: number;
}

export interface GetAllOptions extends ScopeIds {
  filters?: Mem0Filters;
  /** Most results, newest first; default 100. */
  limit?: number;
  topK?: number;
}

/**
 * `createMemoryClient`, loaded on first use: a dynamic import of the main entry lets the bundle
 * load `mneme`'s own entry file instead of splitting it into a chunk the two share (which would
 * grow the main entry).
 */
const createMemoryClient = async (options: MemoryClientOptions): Promise<MemoryClient> =>
  (await import('../../sdk/index')).createMemoryClient(options);

const MAX_SEARCH = 200;

/** A memory a newer one superseded stays in Mneme (findable "as of" its time); mem0 shows only current ones. */
const current = (item: MemoryItem) => item.validTo === undefined || item.validTo > Date.now();
const DEFAULT_LIMIT = 100;

function messagesOf(messages: string | Mem0Message[]): ChatMessage[] {
  const list = typeof messages === 'string' ? [{ role: 'user' as const, content: messages }] : messages;
  if (!Array.isArray(list))
    throw new MemoryError('INVALID_ARGUMENT', 'messages must be a string or an array of { role, content }');
  for (const message of list) {
    if (typeof message?.content !== 'string' || !['user', 'assistant', 'system'].includes(message.role)) {
      throw new MemoryError('INVALID_ARGUMENT', 'Each message is { role: "user" | "assistant" | "system", content: string }');
    }
  }
  return list.map(({ role, content }) => ({ role, content }));
}

function limitOf(options: { topK?: number; limit?: number } | undefined): number {
  const limit = options?.topK ?? options?.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new MemoryError('INVALID_ARGUMENT', 'topK / limit must be a positive integer');
  return limit;
}

export class Memory {
  readonly #options: MemoryClientOptions;
  readonly #clients = new Map<string, Promise<MemoryClient>>();
  #directory: Promise<MemoryClient> | undefined;

  /** The options of `createMemoryClient` (its `profileId` names the profile that only lists the others; default `mem0`). */
  constructor(options: MemoryClientOptions = {}) {
    this.#options = options;
  }

  async #open(profileId: string, name?: string): Promise<MemoryClient> {
    let client = this.#clients.get(profileId);
    if (!client) {
      client = createMemoryClient({ ...this.#options, profileId }).then(async (opened) => {
        if (name) await opened.profiles.rename(profileId, name);
        return opened;
      });
      client.catch(() => this.#clients.delete(profileId));
      this.#clients.set(profileId, client);
    }
    return client;
  }

  async #scoped(scope: Scope): Promise<MemoryClient> {
    const owner = ownerOf(scope);
    return this.#open(await profileIdOf(scope), `${owner.kind}: ${owner.id}`);
  }

  /** The mem0 profiles on this device (read through a profile of their own, which holds no memories). */
  async #profileIds(): Promise<string[]> {
    this.#directory ??= createMemoryClient({ ...this.#options, profileId: this.#options.profileId ?? 'mem0' });
    const profiles = await (await this.#directory).profiles.list();
    return profiles.map((profile) => profile.id).filter((id) => id.startsWith(PROFILE_PREFIX));
  }

  /** The profile holding memory `id` (open ones first), by `found`. */
  async #find(id: string, found: (client: MemoryClient) => Promise<boolean>): Promise<MemoryClient | undefined> {
    if (typeof id !== 'string' || id === '') throw new MemoryError('INVALID_ARGUMENT', 'A memory id is a non-empty string');
    for (const client of this.#clients.values()) if (await found(await client)) return client;
    for (const profileId of await this.#profileIds()) {
      if (this.#clients.has(profileId)) continue;
      const client = await this.#open(profileId);
      if (await found(client)) return client;
    }
    return undefined;
  }

  async #located(id: string): Promise<{ client: MemoryClient; item: MemoryItem } | undefined> {
    let item: MemoryItem | undefined;
    const client = await this.#find(id, async (candidate) => (item = await candidate.memories.get(id)) !== undefined);
    return client && item ? { client, item } : undefined;
  }

  /** Stores what `messages` say for a user, agent or run; the results say what each memory became. */
  async add(messages: string | Mem0Message[], options: AddOptions): Promise<Mem0Results<Mem0Event>> {
    const scope = scopeOf(options, true);
    const chat = messagesOf(messages);
    const metadata: MemoryMetadata = { ...options.metadata, ...scopeMetadata(scope) };
    const client = await this.#scoped(scope);
    if (options.infer === false) {
      const results: Mem0Event[] = [];
      for (const message of chat) {
        if (message.role === 'system' || message.content.trim() === '') continue;
        const item = await client.memories.add(message.content, { kind: 'note', metadata: { ...metadata, role: message.role } });
        results.push(eventOf(item.id, item.text, 'ADD', undefined, options.metadata));
      }
      return { results };
    }
    const report = await client.memories.remember(chat);
    const results: Mem0Event[] = [];
    const replaced = new Map(report.superseded.map(({ id, by }) => [by, id]));
    const label = async (id: string): Promise<MemoryItem | undefined> => {
      const item = await client.memories.get(id);
      if (!item) return undefined;
      const missing = Object.entries(metadata).some(([key, value]) => item.metadata[key] !== value);
      return missing ? client.memories.update(id, { metadata: { ...item.metadata, ...metadata } }) : item;
    };
    for (const id of report.added) {
      const item = await label(id);
      if (!item) continue;
      const old = replaced.get(id);
      const before = old
        ? (await client.memories.history(old)).filter((entry) => entry.action === 'supersede').at(-1)
        : undefined;
      const previous = old ? (historyOf(before ? [before] : [], undefined)[0]?.previousValue ?? undefined) : undefined;
      results.push(eventOf(item.id, item.text, old ? 'UPDATE' : 'ADD', previous, options.metadata));
    }
    for (const id of report.merged) {
      const item = await label(id);
      const change = (await client.memories.history(id)).filter((entry) => entry.action === 'merge').at(-1);
      const previous = change ? (historyOf([change], undefined)[0]?.previousValue ?? undefined) : undefined;
      if (item) results.push(eventOf(item.id, item.text, 'UPDATE', previous, options.metadata));
    }
    return { results };
  }

  /** The memories of a user, agent or run most relevant to `query`, best first, each with its score. */
  async search(query: string, options: SearchOptions): Promise<Mem0Results<Mem0Memory>> {
    const scope = scopeOf(options, true);
    const limit = limitOf(options);
    checkFilters(options.filters);
    const client = await this.#scoped(scope);
    const found = await client.memories.search(query, { limit: MAX_SEARCH });
    const results = found
      .filter(({ item }) => current(item) && inScope(item.metadata, scope) && matchesFilters(item.metadata, options.filters))
      .filter(({ score }) => options.threshold === undefined || score >= options.threshold)
      .slice(0, limit)
      .map(({ item, score }) => toMem0(item, score));
    return { results };
  }

  /** One memory by its id, or `null`. */
  async get(id: string): Promise<Mem0Memory | null> {
    const located = await this.#located(id);
    return located ? toMem0(located.item) : null;
  }

  /** Every memory of a user, agent or run, newest first. */
  async getAll(options: GetAllOptions): Promise<Mem0Results<Mem0Memory>> {
    const scope = scopeOf(options, true);
    const limit = limitOf(options);
    checkFilters(options.filters);
    const client = await this.#scoped(scope);
    const items = await client.memories.list({ order: 'newest' });
    const results = items
      .filter((item) => current(item) && inScope(item.metadata, scope) && matchesFilters(item.metadata, options.filters))
      .slice(0, limit)
      .map((item) => toMem0(item));
    return { results };
  }

  /** Gives a memory a new text (re-embedded); `NOT_FOUND` for an unknown id. */
  async update(id: string, data: string): Promise<{ message: string }> {
    if (typeof data !== 'string' || data.trim() === '')
      throw new MemoryError('INVALID_ARGUMENT', 'The new text is a non-empty string');
    const located = await this.#located(id);
    if (!located) throw new MemoryError('NOT_FOUND', `No memory ${id}`);
    await located.client.memories.update(id, { text: data });
    return { message: 'Memory updated successfully!' };
  }

  /** Deletes a memory (text, vector and index entries); `NOT_FOUND` for an unknown id. */
  async delete(id: string): Promise<{ message: string }> {
    const located = await this.#located(id);
    if (!located) throw new MemoryError('NOT_FOUND', `No memory ${id}`);
    await located.client.memories.delete(id);
    return { message: 'Memory deleted successfully!' };
  }

  /** Deletes every memory of a user, agent or run (an id is required: this never deletes everything). */
  async deleteAll(options: ScopeIds): Promise<{ message: string }> {
    const scope = scopeOf(options, true);
    const client = await this.#scoped(scope);
    const items = await client.memories.list();
    for (const item of items) if (inScope(item.metadata, scope)) await client.memories.delete(item.id);
    return { message: 'Memories deleted successfully!' };
  }

  /** Every change of a memory, oldest first (kept after it is deleted, without its words). */
  async history(id: string): Promise<Mem0HistoryEntry[]> {
    let entries: Awaited<ReturnType<MemoryClient['memories']['history']>> = [];
    const client = await this.#find(id, async (candidate) => (entries = await candidate.memories.history(id)).length > 0);
    if (!client) return [];
    return historyOf(entries, await client.memories.get(id));
  }

  /** Deletes every mem0 profile on this device, with all their memories. */
  async reset(): Promise<void> {
    const ids = await this.#profileIds();
    await this.#closeScoped();
    const directory = await this.#directory!;
    for (const id of ids) await directory.profiles.delete(id, { forgotPassphrase: true });
  }

  async #closeScoped(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map(async (client) => (await client.catch(() => undefined))?.close()));
  }

  /** Closes every profile this instance opened. Later calls open them again. */
  async close(): Promise<void> {
    await this.#closeScoped();
    const directory = this.#directory;
    this.#directory = undefined;
    await (await directory?.catch(() => undefined))?.close();
  }
}
