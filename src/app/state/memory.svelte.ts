/**
 * The page's memory state: one SDK client (in its worker, over IndexedDB), what it reports, and
 * the lists the views show. Views read the fields; they change only through the methods here.
 */
import { createMemoryClient, MemoryError, type MemoryClient, type MemoryClientOptions } from '../../sdk/index';
import type { MemoryItem, MemoryStatus, ProgressEvent, SearchResult } from '../../sdk/types';
import { DEFAULTS } from '../../sdk/options';
import { preferredLocalEmbedder } from '../../models/catalog';
import { describeError, plural, type Action, type FriendlyError } from './messages';

const RECENT_LIMIT = 50;
const SEARCH_LIMIT = 10;

/**
 * The models the server offers at /models/ (`MNEME_MODELS` in dev and preview), or undefined
 * when it offers none: then models come from the Hugging Face hub and the browser caches them.
 */
export async function localModels(): Promise<string[] | undefined> {
  try {
    const response = await fetch('/models/manifest.json', { cache: 'no-cache' });
    if (response.status !== 200 || !response.headers.get('content-type')?.includes('json')) return undefined;
    const manifest: unknown = await response.json();
    const models = (manifest as { models?: unknown } | null)?.models;
    return Array.isArray(models) && models.every((id) => typeof id === 'string') ? models : undefined;
  } catch {
    return undefined;
  }
}

export async function clientOptions(onProgress: MemoryClientOptions['onProgress']): Promise<MemoryClientOptions> {
  const models = await localModels();
  const options: MemoryClientOptions = models
    ? { modelsBaseUrl: '/models/', embedder: preferredLocalEmbedder(models) ?? DEFAULTS.embedder }
    : {};
  if (onProgress) options.onProgress = onProgress;
  return options;
}

export class MemoryState {
  #client: MemoryClient | undefined;
  status = $state.raw<MemoryStatus | undefined>();
  recent = $state.raw<MemoryItem[]>([]);
  results = $state.raw<SearchResult[]>([]);
  /** The query `results` answer; empty before the first search. */
  resultsFor = $state('');
  /** Model download or load, while it runs. */
  progress = $state.raw<ProgressEvent | undefined>();
  error = $state.raw<FriendlyError | undefined>();
  /** The last thing that happened, for screen readers (an aria-live region reads it). */
  announcement = $state('');
  ready = $state(false);
  saving = $state(false);
  searching = $state(false);

  /** The SDK client, once open (later views, such as chat, share it). */
  get client(): MemoryClient | undefined {
    return this.#client;
  }

  get count(): number {
    return this.status?.memories ?? this.recent.length;
  }

  async start(): Promise<void> {
    try {
      const options = await clientOptions((event) => {
        this.progress = event.phase === 'ready' ? undefined : event;
      });
      this.#client = await createMemoryClient(options);
      this.#client.subscribe((event) => {
        if (event.type === 'memories-changed' && event.source === 'other-tab') void this.refresh();
        if (event.type === 'reload-required')
          this.error = describeError('open', new MemoryError('RELOAD_REQUIRED', event.reason));
      });
      await this.refresh();
      this.ready = true;
      void this.warmUp();
    } catch (error) {
      this.fail('open', error);
    }
  }

  /**
   * Loads the embedding model now rather than on the first save, so its download shows at once
   * and a model that cannot load is reported before anyone relies on it.
   */
  async warmUp(): Promise<void> {
    const client = this.#client;
    if (!client || this.status?.embedder.state !== 'idle') return;
    try {
      await client.embed(['warm-up'], { kind: 'query' });
    } catch {
      // The status now carries the reason, and search falls back to keywords.
    } finally {
      this.progress = undefined;
      await this.refreshStatus();
    }
  }

  async refresh(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const [status, recent] = await Promise.all([client.status(), client.memories.list({ limit: RECENT_LIMIT })]);
    this.status = status;
    this.recent = recent;
  }

  async refreshStatus(): Promise<void> {
    if (this.#client) this.status = await this.#client.status();
  }

  /** Resolves true when the text was stored (so the form can clear itself). */
  async remember(text: string): Promise<boolean> {
    const client = this.#client;
    if (!client || !text.trim() || this.saving) return false;
    this.saving = true;
    this.error = undefined;
    try {
      await client.memories.add(text.trim());
      await this.refresh();
      if (this.resultsFor) await this.search(this.resultsFor);
      this.announcement = `Saved. You have ${plural(this.count, 'memory', 'memories')}.`;
      return true;
    } catch (error) {
      this.fail('save', error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  async search(query: string): Promise<void> {
    const client = this.#client;
    const text = query.trim();
    if (!client) return;
    if (!text) {
      this.results = [];
      this.resultsFor = '';
      return;
    }
    this.searching = true;
    this.error = undefined;
    try {
      const results = await client.memories.search(text, { limit: SEARCH_LIMIT });
      this.results = results;
      this.resultsFor = text;
      this.announcement = `${plural(results.length, 'result')} for “${text}”.`;
      await this.refreshStatus();
    } catch (error) {
      this.fail('search', error);
    } finally {
      this.searching = false;
    }
  }

  async forget(id: string): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.error = undefined;
    try {
      await client.memories.delete(id);
      this.results = this.results.filter((result) => result.item.id !== id);
      await this.refresh();
      this.announcement = `Deleted. ${plural(this.count, 'memory', 'memories')} left.`;
    } catch (error) {
      this.fail('delete', error);
    }
  }

  dismissError(): void {
    this.error = undefined;
  }

  fail(action: Action, error: unknown): void {
    this.error = describeError(action, error);
    console.error(error);
  }
}
