/**
 * The app's one SDK client and what it reports: status, background memory work, the chat model in
 * use, re-embedding progress. Views read these fields and call the client; a change of profile,
 * retention or "do not remember" rules reopens the client with the new options.
 */
import {
  createMemoryClient,
  type ChatModelInfo,
  type MemoryClient,
  type MemoryClientOptions,
  type MemoryStatus,
  type OutboxSummary,
  type ProgressEvent,
  type ReembedStatus,
} from '../../sdk/index';
import { DEFAULTS } from '../../sdk/options';
import { preferredLocalEmbedder } from '../../models/catalog';
import { describeError, type FriendlyError } from './messages';
import type { Settings } from './settings.svelte';
import { UndoState } from './undo.svelte';

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

export class AppState {
  readonly settings: Settings;
  client = $state.raw<MemoryClient | undefined>();
  status = $state.raw<MemoryStatus | undefined>();
  outbox = $state.raw<OutboxSummary | undefined>();
  chatModel = $state.raw<ChatModelInfo | undefined>();
  reembedding = $state.raw<ReembedStatus | undefined>();
  /** Embedding model download or load, while it runs. */
  embedProgress = $state.raw<ProgressEvent | undefined>();
  error = $state.raw<FriendlyError | undefined>();
  /** Bumped whenever memories change (here or in another tab): lists reload when it moves. */
  revision = $state(0);
  /** The models the server offers locally, or undefined (the hub). */
  local = $state.raw<string[] | undefined>();
  /** The last thing that happened, for screen readers. */
  announcement = $state('');
  /** The last delete, for a few seconds: it can be taken back. */
  readonly undo = new UndoState();
  #unsubscribe: (() => void) | undefined;

  constructor(settings: Settings) {
    this.settings = settings;
  }

  get ready(): boolean {
    return this.client !== undefined && this.status !== undefined;
  }

  get locked(): boolean {
    return this.status?.encryption.locked === true;
  }

  /** The options the client opens with, from the settings and what the server offers. */
  options(): MemoryClientOptions {
    // A plain copy: Svelte's state proxies cannot cross into the worker (structured clone).
    const { profileId, retention, doNotRemember, embedder } = $state.snapshot(this.settings.data);
    const local = this.local;
    const options: MemoryClientOptions = {
      profileId,
      retention,
      doNotRemember: { rules: doNotRemember.rules as never, patterns: doNotRemember.patterns },
      embedder: embedder ?? (local ? (preferredLocalEmbedder(local) ?? DEFAULTS.embedder) : DEFAULTS.embedder),
      onProgress: (event) => (this.embedProgress = event.phase === 'ready' ? undefined : event),
    };
    if (local) options.modelsBaseUrl = '/models/';
    return options;
  }

  async start(): Promise<void> {
    this.local = await localModels();
    await this.open();
  }

  /** Closes the client and opens it again with the current settings (profile, retention, rules). */
  async restart(): Promise<void> {
    const old = this.client;
    this.#unsubscribe?.();
    this.client = undefined;
    this.status = undefined;
    await old?.close().catch(() => undefined);
    await this.open();
  }

  async open(): Promise<void> {
    this.error = undefined;
    try {
      const client = await createMemoryClient(this.options());
      this.#unsubscribe = client.subscribe((event) => {
        switch (event.type) {
          case 'memories-changed':
            this.revision++;
            break;
          case 'outbox-changed':
            this.outbox = event.summary;
            if (event.summary.pending === 0 && event.summary.running === 0) this.revision++;
            break;
          case 'chat-model-changed':
            this.chatModel = event.model;
            break;
          case 'reembedding':
            this.reembedding = event.finished ? undefined : { model: event.model, done: event.done, total: event.total };
            if (event.finished) void this.refreshStatus();
            break;
          case 'encryption-changed':
            void this.refreshStatus();
            this.revision++;
            break;
          case 'reload-required':
            this.error = { sentence: event.reason, code: 'RELOAD_REQUIRED', detail: event.reason };
            break;
        }
      });
      this.client = client;
      await this.refreshStatus();
      if (!this.locked) this.outbox = await client.outbox.summary().catch(() => undefined);
      void this.warmUp();
    } catch (error) {
      this.error = describeError('open', error);
      console.error(error);
    }
  }

  /**
   * Loads the embedding model now rather than on the first search, so its download shows at once
   * and a model that cannot load is reported before anyone relies on it.
   */
  async warmUp(): Promise<void> {
    const client = this.client;
    if (!client || this.status?.embedder.state !== 'idle') return;
    try {
      await client.embed(['warm-up'], { kind: 'query' });
    } catch {
      // The status now carries the reason, and search falls back to keywords.
    } finally {
      this.embedProgress = undefined;
      await this.refreshStatus();
    }
  }

  async refreshStatus(): Promise<void> {
    if (this.client) this.status = await this.client.status();
  }

  fail(action: Parameters<typeof describeError>[0], error: unknown): void {
    this.error = describeError(action, error);
    console.error(error);
  }

  say(text: string): void {
    this.announcement = text;
  }
}
