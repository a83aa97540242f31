/**
 * Models as the person sees them: what this device can run (`detectCapabilities`), what we
 * recommend, what is cached, and the download in progress with its speed and time left.
 * Downloads resume after a reload: files already fetched come from the browser's cache.
 */
import {
  CHAT_CATALOG,
  EMBEDDER_CATALOG,
  detectCapabilities,
  listCachedModels,
  deleteCachedModel,
  type AssessedChatModel,
  type Capabilities,
  type CachedModel,
  type ChatModelSpec,
  type EmbedderCatalogEntry,
  type ProgressEvent,
} from '../../sdk/index';
import { recommendChatModel } from '../../models/capabilities';
import type { AppState } from './app.svelte';

export type ChatChoice = AssessedChatModel & { local: boolean };

/** A download size given in megabytes, as a person reads it. */
export const sizeOf = (mb: number): string => (mb >= 1000 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`);

/** A chat model as a menu line: its name, size, and what limits it here, in plain words. */
export function choiceText(entry: ChatChoice): string {
  const notes = [entry.label, sizeOf(entry.downloadMB)];
  if (entry.structuredOutput === false) notes.push('can’t pick out facts');
  if (!entry.runnable && entry.reason) notes.push(entry.reason);
  return notes.join(' · ');
}

/** A local models folder offers exactly what it holds; the hub offers everything but test models. */
const offered = (entry: { id: string; fixture?: boolean }, local: readonly string[] | undefined) =>
  local ? local.includes(entry.id) : entry.fixture !== true;

export interface DownloadView {
  model: string;
  text: string;
  /** 0..1, or undefined while the total is unknown. */
  fraction?: number;
  loaded?: number;
  total?: number;
  bytesPerSecond?: number;
  secondsLeft?: number;
}

/** Turns a stream of progress events into speed and time left (a moving average over 3 s). */
export class DownloadTracker {
  #samples: { at: number; loaded: number }[] = [];

  view(model: string, event: ProgressEvent, now = performance.now()): DownloadView {
    const fraction = event.total > 0 ? Math.min(1, event.loaded / event.total) : undefined;
    const bytesKnown = event.phase === 'download' && event.total > 1000;
    const view: DownloadView = { model, text: event.text ?? model, ...(fraction !== undefined ? { fraction } : {}) };
    if (!bytesKnown) return view;
    this.#samples.push({ at: now, loaded: event.loaded });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > 3000) this.#samples.shift();
    const first = this.#samples[0]!;
    const seconds = (now - first.at) / 1000;
    const speed = seconds > 0.2 ? (event.loaded - first.loaded) / seconds : undefined;
    return {
      ...view,
      loaded: event.loaded,
      total: event.total,
      ...(speed && speed > 0 ? { bytesPerSecond: speed, secondsLeft: (event.total - event.loaded) / speed } : {}),
    };
  }
}

export class ModelsState {
  readonly app: AppState;
  capabilities = $state.raw<Capabilities | undefined>();
  download = $state.raw<DownloadView | undefined>();
  loading = $state(false);
  cached = $state.raw<CachedModel[]>([]);
  #abort: AbortController | undefined;

  constructor(app: AppState) {
    this.app = app;
  }

  async detect(): Promise<void> {
    this.capabilities ??= await detectCapabilities();
  }

  /**
   * Chat models to offer, runnable first. With a local models folder only the models it provides
   * (the app loads from nowhere else); without one, the catalog minus its test models.
   */
  get chatChoices(): ChatChoice[] {
    const assessed = this.capabilities?.chatModels ?? CHAT_CATALOG.map((entry) => ({ ...entry, runnable: true }));
    const local = this.app.local;
    return assessed
      .filter((entry) => offered(entry, local))
      .map((entry) => ({ ...entry, local: local?.includes(entry.id) ?? false }))
      .sort((a, b) => Number(b.runnable) - Number(a.runnable) || Number(!!a.fixture) - Number(!!b.fixture));
  }

  /** The model the first run preselects: one this device can run, never a test model; none until the device is checked. */
  get recommendedChat(): ChatChoice | undefined {
    const caps = this.capabilities;
    if (!caps) return undefined;
    const id = recommendChatModel(caps, caps.chatModels, this.app.local);
    return this.chatChoices.find((entry) => entry.id === id);
  }

  /** Embedding models to offer, by the same rule as chat models. */
  get embedderChoices(): (EmbedderCatalogEntry & { local: boolean })[] {
    const local = this.app.local;
    return EMBEDDER_CATALOG.filter((entry) => offered(entry, local)).map((entry) => ({
      ...entry,
      local: local?.includes(entry.id) ?? false,
    }));
  }

  specFor(entry: AssessedChatModel): ChatModelSpec {
    return entry.engine === 'webllm' ? { engine: 'webllm', model: entry.id } : { engine: 'transformers', model: entry.id };
  }

  /** Downloads (or finds cached) and loads a chat model; `null` unloads. Remembered for the next visit. */
  async useChat(spec: ChatModelSpec | null): Promise<boolean> {
    const client = this.app.client;
    if (!client) return false;
    this.cancel();
    const controller = new AbortController();
    this.#abort = controller;
    const tracker = new DownloadTracker();
    const name = spec ? spec.model : '';
    this.loading = true;
    this.download = spec ? { model: name, text: `Preparing ${name}` } : undefined;
    // Choosing a model to download is the consent to downloads (a server of one's own is not a download).
    if (spec && spec.engine !== 'openai') this.app.allowDownloads();
    this.app.choosingChat++;
    try {
      await client.chat.useModel(spec && $state.snapshot(spec), {
        signal: controller.signal,
        onProgress: (event) => {
          if (!controller.signal.aborted) this.download = tracker.view(name, event);
        },
      });
      // Replaced by a newer choice: that one stores and names the model in use. (Cancelled once the
      // model was already in use, it is kept like any finished choice.)
      if (controller.signal.aborted && this.#abort !== undefined) return false;
      const model = await client.chat.model();
      // Kept for the next visit first: the page names a model in use only once a reload would bring it back.
      await this.app.rememberChat(spec);
      this.app.chatModel = model;
      this.app.say(spec ? `${name} is ready.` : 'Chat model unloaded.');
      return true;
    } catch (error) {
      if (!controller.signal.aborted) this.app.fail('model', error);
      return false;
    } finally {
      this.app.choosingChat--;
      if (this.#abort === controller) {
        this.loading = false;
        this.download = undefined;
        this.#abort = undefined;
      }
    }
  }

  cancel(): void {
    this.#abort?.abort();
    this.#abort = undefined;
    this.loading = false;
    this.download = undefined;
  }

  /** Switches the embedding model; memories are re-embedded in the background. */
  async useEmbedder(model: string | false): Promise<boolean> {
    const client = this.app.client;
    if (!client) return false;
    const tracker = new DownloadTracker();
    this.loading = true;
    if (model !== false) this.app.allowDownloads({ loadEmbedder: false });
    try {
      await client.useEmbedder(model, {
        onProgress: (event) => (this.download = tracker.view(String(model), event)),
      });
      this.app.settings.update({ embedder: model });
      await this.app.refreshStatus();
      return true;
    } catch (error) {
      this.app.fail('model', error);
      return false;
    } finally {
      this.loading = false;
      this.download = undefined;
    }
  }

  async refreshCache(): Promise<void> {
    try {
      this.cached = await listCachedModels();
    } catch {
      this.cached = [];
    }
  }

  async deleteCached(id: string): Promise<void> {
    await deleteCachedModel(id);
    await this.refreshCache();
  }
}
