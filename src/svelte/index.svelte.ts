/**
 * `mneme/svelte`: rune helpers for Svelte 5 hosts. `memoryStore(client)` gives reactive fields
 * (status, the newest memories, the last search) that follow every change, from this page or
 * another tab. Optional: the core package does not depend on Svelte.
 */
import type { MemoryClient, MemoryItem, MemoryStatus, SearchOptions, SearchResult } from '../sdk/index';

export class MemoryStore {
  readonly client: MemoryClient;
  status = $state.raw<MemoryStatus | undefined>();
  /** Newest first, at most `limit` (default 50). */
  recent = $state.raw<MemoryItem[]>([]);
  results = $state.raw<SearchResult[]>([]);
  query = $state('');
  #limit: number;
  #unsubscribe: () => void;

  constructor(client: MemoryClient, options: { limit?: number } = {}) {
    this.client = client;
    this.#limit = options.limit ?? 50;
    this.#unsubscribe = client.subscribe((event) => {
      if (event.type === 'memories-changed' || event.type === 'encryption-changed') void this.refresh();
    });
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const [status, recent] = await Promise.all([this.client.status(), this.client.memories.list({ limit: this.#limit })]);
    this.status = status;
    this.recent = recent;
    if (this.query) await this.search(this.query);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult[]> {
    this.query = query;
    this.results = query.trim() ? await this.client.memories.search(query, options) : [];
    return this.results;
  }

  /** Stops following changes (the client stays open). */
  destroy(): void {
    this.#unsubscribe();
  }
}

export function memoryStore(client: MemoryClient, options?: { limit?: number }): MemoryStore {
  return new MemoryStore(client, options);
}
