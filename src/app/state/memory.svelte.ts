/**
 * The Memory screen's facts tab: every memory (newest first, filtered by kind and time), search
 * with its score explanations, and the edits a person makes (text, pin, delete) with each item's
 * history. Lists are `$state.raw`: they are replaced, never mutated, so 10k items stay cheap.
 */
import type { AuditEntry, MemoryItem, MemoryKind, SearchResult } from '../../sdk/index';
import type { AppState } from './app.svelte';
import { excerpt, plural } from './messages';
import { restorationFile } from './undo.svelte';

const SEARCH_LIMIT = 20;
/** Enough for the list and the chart; the virtual list renders only what is on screen. */
const LIST_LIMIT = 20_000;

export type TimeFilter = 'all' | 'day' | 'week' | 'month' | 'year';
const SPAN: Record<TimeFilter, number> = { all: Infinity, day: 864e5, week: 6048e5, month: 2592e6, year: 31536e6 };

export class MemoryState {
  readonly app: AppState;
  all = $state.raw<MemoryItem[]>([]);
  results = $state.raw<SearchResult[]>([]);
  /** The query `results` answer; empty before the first search. */
  resultsFor = $state('');
  kind = $state<MemoryKind | 'all'>('all');
  time = $state<TimeFilter>('all');
  saving = $state(false);
  searching = $state(false);
  loaded = $state(false);

  constructor(app: AppState) {
    this.app = app;
    app.onLock(() => this.clearOnLock());
  }

  /** Drops every memory and search read from the profile (it locked); the next unlock reads them again. */
  clearOnLock(): void {
    this.all = [];
    this.results = [];
    this.resultsFor = '';
    this.loaded = false;
  }

  get count(): number {
    return this.app.status?.memories ?? this.all.length;
  }

  /** The list as filtered: current memories only (superseded and archived ones have their own tab). */
  get visible(): MemoryItem[] {
    const since = Date.now() - SPAN[this.time];
    return this.all.filter(
      (item) =>
        item.archivedAt === undefined &&
        item.validTo === undefined &&
        (this.kind === 'all' || item.kind === this.kind) &&
        item.createdAt >= since,
    );
  }

  async refresh(): Promise<void> {
    const client = this.app.client;
    if (!client || this.app.locked) return;
    this.all = await client.memories.list({ limit: LIST_LIMIT });
    this.loaded = true;
    await this.app.refreshStatus();
  }

  /** Resolves true when the text was stored (so the form can clear itself). */
  async remember(text: string): Promise<boolean> {
    const client = this.app.client;
    if (!client || !text.trim() || this.saving) return false;
    this.saving = true;
    try {
      await client.memories.add(text.trim());
      await this.refresh();
      if (this.resultsFor) await this.search(this.resultsFor);
      this.app.say(`Saved. You have ${plural(this.count, 'memory', 'memories')}.`);
      return true;
    } catch (error) {
      this.app.fail('save', error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  async search(query: string): Promise<void> {
    const client = this.app.client;
    const text = query.trim();
    if (!client) return;
    if (!text) {
      this.results = [];
      this.resultsFor = '';
      return;
    }
    this.searching = true;
    try {
      const kinds = this.kind === 'all' ? undefined : [this.kind];
      const results = await client.memories.search(text, { limit: SEARCH_LIMIT, ...(kinds ? { kinds } : {}) });
      this.results = results;
      this.resultsFor = text;
      this.app.say(`${plural(results.length, 'result')} for “${text}”.`);
    } catch (error) {
      this.app.fail('search', error);
    } finally {
      this.searching = false;
    }
  }

  async update(id: string, patch: { text?: string; pinned?: boolean; importance?: number }): Promise<boolean> {
    try {
      await this.app.client?.memories.update(id, patch);
      await this.refresh();
      if (this.resultsFor) await this.search(this.resultsFor);
      this.app.say(patch.pinned === undefined ? 'Memory updated.' : patch.pinned ? 'Pinned: it will never fade.' : 'Unpinned.');
      return true;
    } catch (error) {
      this.app.fail('update', error);
      return false;
    }
  }

  /** Deletes at once, then offers an undo that puts the very same memory back. */
  async forget(id: string): Promise<void> {
    const client = this.app.client;
    if (!client) return;
    try {
      const item = await client.memories.get(id);
      await client.memories.delete(id);
      this.results = this.results.filter((result) => result.item.id !== id);
      await this.refresh();
      this.app.say(`Deleted. ${plural(this.count, 'memory', 'memories')} left.`);
      if (item) this.app.undo.show(`Deleted “${excerpt(item.text)}”.`, () => this.#putBack(item));
    } catch (error) {
      this.app.fail('delete', error);
    }
  }

  async #putBack(item: MemoryItem): Promise<void> {
    try {
      await this.app.client?.data.import(restorationFile(this.app.settings.data.profileId, { memories: [item] }));
      await this.refresh();
      if (this.resultsFor) await this.search(this.resultsFor);
      this.app.say(`Restored “${excerpt(item.text)}”.`);
    } catch (error) {
      this.app.fail('update', error);
    }
  }

  async history(id: string): Promise<AuditEntry[]> {
    return (await this.app.client?.memories.history(id)) ?? [];
  }

  async restore(id: string): Promise<void> {
    try {
      await this.app.client?.memories.restore(id);
      await this.refresh();
      this.app.say('Restored from the archive.');
    } catch (error) {
      this.app.fail('update', error);
    }
  }
}
