/**
 * The page's memory state: one SDK client (in a worker), what it reports, and the lists the
 * views show. Views read the fields; they change only through the methods here.
 */
import {
  createMemoryClient,
  isMemoryError,
  type MemoryClient,
  type MemoryItem,
  type MemoryStatus,
  type SearchResult,
} from '../../sdk/index';
import type { ProgressEvent } from '../../sdk/types';
import { preferredLocalEmbedder } from '../../models/catalog';

/** The app's models folder when the server offers one (`MNEME_MODELS`), else the hub. */
async function localModels(): Promise<string[] | undefined> {
  try {
    const response = await fetch('/models/manifest.json', { cache: 'no-store' });
    if (!response.ok || !response.headers.get('content-type')?.includes('json')) return undefined;
    const manifest = (await response.json()) as { models?: unknown };
    return Array.isArray(manifest.models) ? manifest.models.filter((m): m is string => typeof m === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** A sentence a person can act on, for any failure. */
export function describeError(error: unknown): string {
  if (isMemoryError(error)) {
    switch (error.code) {
      case 'QUOTA_EXCEEDED':
        return 'Your browser has no room left for more memories. Free some space or delete old memories.';
      case 'INVALID_ARGUMENT':
        return error.message;
      case 'LOCKED':
        return 'This profile is locked. Unlock it with your passphrase.';
      case 'RELOAD_REQUIRED':
        return 'Mneme was updated in another tab. Reload this page to continue.';
      default:
        return `${error.message} (${error.code})`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

export class MemoryState {
  client: MemoryClient | undefined;
  status = $state<MemoryStatus | undefined>();
  recent = $state.raw<MemoryItem[]>([]);
  results = $state.raw<SearchResult[]>([]);
  lastQuery = $state('');
  searching = $state(false);
  saving = $state(false);
  progress = $state<ProgressEvent | undefined>();
  error = $state<string | undefined>();
  ready = $state(false);

  async start(): Promise<void> {
    try {
      const models = await localModels();
      const embedder = models ? preferredLocalEmbedder(models) : undefined;
      this.client = await createMemoryClient({
        ...(models ? { modelsBaseUrl: '/models/' } : {}),
        ...(embedder ? { embedder } : {}),
        onProgress: (event) => {
          this.progress = event.phase === 'ready' ? undefined : event;
        },
      });
      this.client.subscribe((event) => {
        if (event.type === 'memories-changed' && event.source === 'other-tab') void this.refresh();
        if (event.type === 'reload-required') this.error = event.reason;
      });
      await this.refresh();
      this.ready = true;
    } catch (error) {
      this.error = describeError(error);
    }
  }

  async refresh(): Promise<void> {
    if (!this.client) return;
    const [status, recent] = await Promise.all([this.client.status(), this.client.memories.list({ limit: 50 })]);
    this.status = status;
    this.recent = recent;
  }

  async remember(text: string): Promise<boolean> {
    if (!this.client || !text.trim()) return false;
    this.saving = true;
    this.error = undefined;
    try {
      await this.client.memories.add(text);
      await this.refresh();
      if (this.lastQuery) await this.search(this.lastQuery);
      return true;
    } catch (error) {
      this.error = describeError(error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  async search(query: string): Promise<void> {
    if (!this.client) return;
    this.lastQuery = query.trim();
    if (!this.lastQuery) {
      this.results = [];
      return;
    }
    this.searching = true;
    this.error = undefined;
    try {
      this.results = await this.client.memories.search(this.lastQuery, { limit: 10 });
      this.status = await this.client.status();
    } catch (error) {
      this.error = describeError(error);
    } finally {
      this.searching = false;
    }
  }

  async forget(id: string): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.memories.delete(id);
      this.results = this.results.filter((result) => result.item.id !== id);
      await this.refresh();
    } catch (error) {
      this.error = describeError(error);
    }
  }
}
