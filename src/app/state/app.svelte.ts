/**
 * The app's one SDK client and what it reports: status, background memory work, the chat model in
 * use, re-embedding progress. Views read these fields and call the client. A change of profile
 * reopens the client; retention and "do not remember" rules apply to the open client at once.
 */
import {
  createMemoryClient,
  type ChatModelInfo,
  type ChatModelSpec,
  type MemoryClient,
  type MemoryClientOptions,
  type MemoryStatus,
  type OutboxSummary,
  type PrivacyState,
  type ProgressEvent,
  type ReembedStatus,
  type SyncStatus,
} from '../../sdk/index';
import { DEFAULTS } from '../../sdk/options';
import { findEmbedder, preferredLocalEmbedder } from '../../models/catalog';
import { describeError, type FriendlyError } from './messages';
import type { ExternalEndpoint, Settings } from './settings.svelte';
import { UndoState } from './undo.svelte';

/** A saved embedder choice, unless it is a test model this server no longer offers (the hub has none). */
function offeredHere(embedder: string | false | undefined, local: string[] | undefined): string | false | undefined {
  if (typeof embedder !== 'string' || !findEmbedder(embedder)?.fixture) return embedder;
  return local?.includes(embedder) ? embedder : undefined;
}

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
  /** The chat model in use, once its choice is kept for the next visit (see {@link ModelsState.useChat}). */
  chatModel = $state.raw<ChatModelInfo | undefined>();
  /**
   * Chat model choices under way in this page: the model one loads is shown when the choice is
   * stored, not when the client reports it in use (a reload in between would not bring it back).
   */
  choosingChat = 0;
  reembedding = $state.raw<ReembedStatus | undefined>();
  /** Sync across devices, as the client last reported it (a `sync` event, or {@link refreshSync}). */
  sync = $state.raw<SyncStatus | undefined>();
  /** Embedding model download or load, while it runs. */
  embedProgress = $state.raw<ProgressEvent | undefined>();
  error = $state.raw<FriendlyError | undefined>();
  /** Bumped whenever memories change (here or in another tab): lists reload when it moves. */
  revision = $state(0);
  /** The models the server offers locally, or undefined (the hub). */
  local = $state.raw<string[] | undefined>();
  /**
   * The embedding model held back until the person chooses to download a model (no local models,
   * no choice yet): meanwhile memory searches by keywords and nothing is fetched from the hub.
   */
  withheldEmbedder = $state.raw<string | undefined>();
  /** The last thing that happened, for screen readers. */
  announcement = $state('');
  /** The last delete, for a few seconds: it can be taken back. */
  readonly undo = new UndoState();
  #unsubscribe: (() => void) | undefined;
  /** The open profile's own choices (privacy, chat server) were read since it last opened or unlocked. */
  #profileRead = false;
  /** What each part of the page drops when the profile locks (see `onLock`). */
  readonly #lockListeners: (() => void)[] = [];

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
    const { profileId, embedder } = $state.snapshot(this.settings.data);
    // The profile keeps its own privacy settings; an older version's, still in localStorage, go in once.
    const unmoved = this.settings.unmoved;
    const local = this.local;
    const wanted =
      offeredHere(embedder, local) ?? (local ? (preferredLocalEmbedder(local) ?? DEFAULTS.embedder) : DEFAULTS.embedder);
    // The SDK would fetch a hub model on first use: not before the person agrees to downloads.
    const withhold = !local && wanted !== false && !this.settings.data.downloadsAllowed;
    this.withheldEmbedder = withhold ? wanted : undefined;
    const options: MemoryClientOptions = {
      profileId,
      ...(unmoved?.retention ? { retention: $state.snapshot(unmoved.retention) } : {}),
      ...(unmoved?.doNotRemember
        ? { doNotRemember: { rules: [...unmoved.doNotRemember.rules] as never, patterns: [...unmoved.doNotRemember.patterns] } }
        : {}),
      embedder: withhold ? false : wanted,
      onProgress: (event) => (this.embedProgress = event.phase === 'ready' ? undefined : event),
    };
    if (local) options.modelsBaseUrl = '/models/';
    return options;
  }

  async start(): Promise<void> {
    this.local = await localModels();
    await this.open();
  }

  /** Closes the client and opens it again with the current settings (another profile). */
  async restart(): Promise<void> {
    const old = this.client;
    this.#unsubscribe?.();
    this.client = undefined;
    this.status = undefined;
    this.sync = undefined;
    await old?.close().catch(() => undefined);
    // Closing the client unloaded its chat model: the app loads the chosen one again into the new one.
    this.chatModel = undefined;
    this.#profileRead = false;
    this.settings.forgetProfile();
    await this.open();
  }

  /**
   * Applies retention and "do not remember" rules to the open client (no reopen: the chat model
   * stays loaded) and keeps them for the next visit. Rejects, saving nothing, when the client refuses them.
   */
  async applyPrivacy(privacy: PrivacyState): Promise<void> {
    const plain = $state.snapshot(privacy) as PrivacyState;
    await this.client?.privacy.set(plain);
    this.settings.update(plain);
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
            if (this.choosingChat === 0) this.chatModel = event.model;
            break;
          case 'reembedding':
            this.reembedding = event.finished ? undefined : { model: event.model, done: event.done, total: event.total };
            if (event.finished) void this.refreshStatus();
            break;
          case 'encryption-changed':
            void this.refreshStatus();
            this.revision++;
            break;
          case 'sync':
            this.sync = event.status;
            break;
          case 'reload-required':
            this.error = { sentence: event.reason, code: 'RELOAD_REQUIRED', detail: event.reason };
            break;
        }
      });
      // The page learns whether the profile is locked before it sees the client: a view that
      // appeared in between would ask a locked profile for its memories.
      try {
        await this.refreshStatus(client);
      } finally {
        this.client = client;
      }
      if (!this.locked) this.outbox = await client.outbox.summary().catch(() => undefined);
      // The footer says where memories go: sync set up in an earlier visit counts from the first paint.
      if (!this.locked) void this.refreshSync();
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

  /**
   * The person chose to download a model: remembered for the next visits, and the embedding model
   * held back so far starts loading (`loadEmbedder: false` when the caller loads one of its own).
   */
  allowDownloads(options: { loadEmbedder?: boolean } = {}): void {
    if (!this.settings.data.downloadsAllowed) this.settings.update({ downloadsAllowed: true });
    const model = this.withheldEmbedder;
    this.withheldEmbedder = undefined;
    if (model && options.loadEmbedder !== false) void this.#loadEmbedder(model);
  }

  async #loadEmbedder(model: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.useEmbedder(model, {
        onProgress: (event) => (this.embedProgress = event.phase === 'ready' ? undefined : event),
      });
    } catch (error) {
      this.fail('model', error);
    } finally {
      this.embedProgress = undefined;
      await this.refreshStatus();
    }
  }

  async refreshSync(): Promise<void> {
    this.sync = await this.client?.sync.status().catch(() => this.sync);
  }

  /** Reads the status of `client` (the page's, unless it is still opening). */
  async refreshStatus(client = this.client): Promise<void> {
    if (!client) return;
    const wasLocked = this.locked;
    const status = await client.status();
    // Open or just unlocked: the profile's own choices (privacy, chat server) are known from now on.
    if (!status.encryption.locked && !this.#profileRead) await this.#readProfile(client);
    this.status = status;
    if (this.locked && !wasLocked) this.forgetProfileData();
  }

  /** Reads the choices kept in the open profile; an older version's, from localStorage, move into it first. */
  async #readProfile(client: MemoryClient): Promise<void> {
    try {
      const unmoved = this.settings.unmoved;
      const remote = unmoved?.chatModel?.engine === 'openai' ? unmoved.chatModel : undefined;
      const external = unmoved?.external ?? (remote && { baseUrl: remote.baseUrl, model: remote.model });
      if (external) await client.preferences.set({ external, chat: remote ? 'external' : null });
      // Their privacy settings went in with the client's options: the profile stored them as it opened.
      if (unmoved) this.settings.moved();
      const [privacy, preferences] = await Promise.all([client.privacy.get(), client.preferences.get()]);
      this.settings.fromProfile(privacy, preferences);
      this.#profileRead = true;
    } catch (error) {
      this.fail('open', error);
    }
  }

  /** The external chat server typed in Settings, kept in the profile (sealed when it is encrypted). */
  async rememberExternal(external: ExternalEndpoint): Promise<void> {
    this.settings.update({ external });
    await this.client?.preferences.set({ external: $state.snapshot(external) }).catch((error) => this.fail('model', error));
  }

  /**
   * The chat model now in use, for the next visit: a local one in this browser, the external server
   * in the profile (its address must not sit in clear beside it); `null`: none.
   */
  async rememberChat(spec: ChatModelSpec | null): Promise<void> {
    if (spec) this.settings.update({ chatModel: spec });
    else {
      const { chatModel: _dropped, ...rest } = this.settings.data;
      this.settings.data = rest;
      this.settings.update({});
    }
    const chat = spec?.engine === 'openai' ? 'external' : null;
    await this.client?.preferences.set({ chat }).catch(() => undefined);
  }

  /**
   * Registers what a part of the page holds of the profile (turns, lists, results), to drop when it
   * locks: a locked page keeps nothing of the profile in its state or its DOM. Returns the way to
   * unregister it (a component that goes away).
   */
  onLock(listener: () => void): () => void {
    this.#lockListeners.push(listener);
    return () => {
      const at = this.#lockListeners.indexOf(listener);
      if (at >= 0) this.#lockListeners.splice(at, 1);
    };
  }

  /** The profile locked (here, in another tab, or after idle): everything read from it leaves the page. */
  forgetProfileData(): void {
    this.#profileRead = false;
    this.settings.forgetProfile();
    this.undo.dismiss();
    this.announcement = 'Locked.';
    // An error's detail can quote what failed (a memory's text, a search): it goes too.
    this.error = undefined;
    for (const listener of this.#lockListeners) listener();
  }

  fail(action: Parameters<typeof describeError>[0], error: unknown): void {
    this.error = describeError(action, error);
    console.error(error);
  }

  say(text: string): void {
    this.announcement = text;
  }
}
