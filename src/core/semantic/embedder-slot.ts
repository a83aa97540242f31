/**
 * Holds the configured embedder and what is known about it. The first failure to load marks it
 * `unavailable` with the reason, and memory carries on lexically instead of failing every call.
 */
import { MemoryError, toMemoryError } from '../../sdk/errors';
import type { EmbedderStatus, ProgressCallback } from '../../sdk/types';
import type { Embedder } from '../ports';

const MODEL_FAILURES = new Set(['MODEL_NOT_FOUND', 'MODEL_LOAD_FAILED', 'WEBGPU_UNAVAILABLE']);

export class EmbedderSlot {
  #embedder: Embedder | undefined;
  #state: EmbedderStatus['state'];
  #reason: string | undefined;
  #dimension: number | undefined;
  #onProgress: ProgressCallback | undefined;
  /** Called once, the first time the model embeds successfully. */
  onFirstReady: (() => void) | undefined;

  constructor(embedder: Embedder | undefined, onProgress?: ProgressCallback) {
    this.#embedder = embedder;
    this.#state = embedder ? 'idle' : 'disabled';
    this.#dimension = embedder?.dimension;
    this.#onProgress = onProgress;
    if (!embedder) this.#reason = 'No embedding model is configured';
  }

  /** The model id vectors are stored under, whether or not it has loaded yet. */
  get modelId(): string | undefined {
    return this.#embedder?.id;
  }

  get usable(): boolean {
    return this.#embedder !== undefined && this.#state !== 'unavailable';
  }

  get dimension(): number | undefined {
    return this.#dimension;
  }

  status(): EmbedderStatus {
    const status: EmbedderStatus = { state: this.#state };
    if (this.#embedder) status.model = this.#embedder.id;
    if (this.#dimension !== undefined) status.dimension = this.#dimension;
    if (this.#reason !== undefined) status.reason = this.#reason;
    return status;
  }

  /**
   * Embeds, or returns undefined when the model cannot be used (and remembers why).
   * Errors that are not about the model (abort, bad input) are rethrown.
   */
  async tryEmbed(texts: string[], kind: 'query' | 'passage', signal?: AbortSignal): Promise<Float32Array[] | undefined> {
    if (!this.usable || texts.length === 0) return this.usable ? [] : undefined;
    try {
      return await this.embed(texts, kind, signal);
    } catch (error) {
      const failure = toMemoryError(error);
      if (MODEL_FAILURES.has(failure.code)) return undefined;
      throw failure;
    }
  }

  /** Releases the model (after a switch to another embedder). */
  async dispose(): Promise<void> {
    await this.#embedder?.dispose?.();
  }

  /** Embeds or throws a MemoryError saying why the model cannot be used. */
  async embed(texts: string[], kind: 'query' | 'passage', signal?: AbortSignal): Promise<Float32Array[]> {
    const embedder = this.#embedder;
    if (!embedder || this.#state === 'unavailable') {
      throw new MemoryError('MODEL_NOT_FOUND', this.#reason ?? 'No embedding model is configured');
    }
    if (this.#state === 'idle') this.#state = 'loading';
    try {
      const options: Parameters<Embedder['embed']>[1] = { kind };
      if (signal) options.signal = signal;
      if (this.#onProgress) options.onProgress = this.#onProgress;
      const vectors = await embedder.embed(texts, options);
      this.#checkDimensions(vectors, texts.length);
      const first = this.#state !== 'ready';
      this.#state = 'ready';
      if (first) queueMicrotask(() => this.onFirstReady?.());
      this.#reason = undefined;
      return vectors;
    } catch (error) {
      const failure = toMemoryError(error, 'MODEL_LOAD_FAILED');
      if (MODEL_FAILURES.has(failure.code)) {
        this.#state = 'unavailable';
        this.#reason = failure.message;
      } else if (this.#state === 'loading') {
        this.#state = 'idle';
      }
      throw failure;
    }
  }

  #checkDimensions(vectors: Float32Array[], expected: number): void {
    if (vectors.length !== expected) {
      throw new MemoryError('MODEL_LOAD_FAILED', `Embedder returned ${vectors.length} vectors for ${expected} texts`);
    }
    for (const vector of vectors) {
      this.#dimension ??= vector.length;
      if (vector.length !== this.#dimension) {
        throw new MemoryError('MODEL_LOAD_FAILED', `Embedder returned a ${vector.length}-d vector, expected ${this.#dimension}`);
      }
    }
  }
}
