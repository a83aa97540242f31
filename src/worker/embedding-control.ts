/**
 * The engine's embedding half: which embedder is in use, switching it at run time, and the
 * re-embedding job. The job is resumable by construction: it embeds every memory whose vector
 * is not from the current model, so after a reload it simply continues with what is left.
 * While it runs, search uses the lexical path (a half-built vector index would skew ranking),
 * and the status and events say so.
 */
import { DEFAULTS, type MemoryClientOptions } from '../sdk/options';
import { MemoryError } from '../sdk/errors';
import type { EmbedderStatus, LongCallOptions, MemoryEvent, ReembedStatus } from '../sdk/types';
import type { Embedder } from '../core/ports';
import type { MemoryClient } from '../sdk/client';
import { checkText } from '../core/semantic/validate';
import { EmbedderSlot } from '../core/semantic/embedder-slot';
import type { MemoryService } from '../core/semantic/memory-service';
import { createTransformersEmbedder } from '../models/transformers-embedder';

export interface EmbeddingControlDeps {
  options: MemoryClientOptions;
  emit: (event: MemoryEvent) => void;
  service: () => MemoryService | undefined;
  /** Reopens the memory views so the vector index is rebuilt for the new model. */
  reopen: () => Promise<void>;
}

export interface EmbeddingControl {
  readonly slot: EmbedderSlot;
  /** Embeds what lacks a vector from the current model, in the background; no-op when nothing does. */
  reembed(): void;
  /** The running re-embedding, if any. */
  reembedding(): ReembedStatus | undefined;
  use(choice: string | Embedder | false, options?: LongCallOptions): Promise<EmbedderStatus>;
  stop(): Promise<void>;
  /** `client.embed`: vectors of checked texts from the current model. */
  embed: MemoryClient['embed'];
}

export function createEmbeddingControl(deps: EmbeddingControlDeps): EmbeddingControl {
  const { options } = deps;
  let slot = newSlot(resolveEmbedder(options.embedder ?? DEFAULTS.embedder, options), options.onProgress);
  let job: { controller: AbortController; status: ReembedStatus; done: Promise<void> } | undefined;
  /** Asked again while a job ran (memories arrived meanwhile, e.g. by sync): run again after it. */
  let again = false;

  function newSlot(embedder: Embedder | undefined, onProgress: MemoryClientOptions['onProgress']): EmbedderSlot {
    const created = new EmbedderSlot(embedder, onProgress);
    // Memories stored while no model was usable get their vectors once one works.
    created.onFirstReady = () => control.reembed();
    return created;
  }

  const stopJob = async () => {
    const running = job;
    running?.controller.abort();
    await running?.done;
  };

  const control: EmbeddingControl = {
    get slot() {
      return slot;
    },
    reembed() {
      const service = deps.service();
      const model = slot.modelId;
      if (job) {
        again = true;
        return;
      }
      again = false;
      if (!service || !model || !slot.usable || service.missingVectors === 0) return;
      const controller = new AbortController();
      const status: ReembedStatus = { model, done: 0, total: service.missingVectors };
      service.setDenseSearch(false);
      deps.emit({ type: 'reembedding', ...status });
      const done = service
        .embedMissing(controller.signal, (count, total) => {
          Object.assign(status, { done: count, total });
          deps.emit({ type: 'reembedding', ...status });
        })
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          service.setDenseSearch(true);
          if (job?.status === status) job = undefined;
          deps.emit({ type: 'reembedding', ...status, finished: true });
          if (again && !controller.signal.aborted) control.reembed();
        });
      job = { controller, status, done };
    },
    reembedding: () => (job ? { ...job.status } : undefined),
    async use(choice, useOptions = {}) {
      if (choice !== false && typeof choice !== 'string' && typeof choice?.embed !== 'function') {
        throw new MemoryError('INVALID_ARGUMENT', 'An embedder is a model id, an Embedder, or false');
      }
      await stopJob();
      const next = newSlot(resolveEmbedder(choice, options), useOptions.onProgress ?? options.onProgress);
      // Load (or fail) before switching, so a model that cannot run never replaces a working one.
      if (choice !== false) await next.embed(['warm-up'], 'query', useOptions.signal);
      const previous = slot;
      slot = next;
      await deps.reopen();
      control.reembed();
      if (previous !== next) await previous.dispose?.().catch(() => undefined);
      return slot.status();
    },
    stop: stopJob,
    embed: async (texts, embedOptions = {}) => {
      if (!Array.isArray(texts)) throw new MemoryError('INVALID_ARGUMENT', 'embed expects an array of texts');
      return slot.embed(
        texts.map((text) => checkText(text)),
        embedOptions.kind ?? 'passage',
        embedOptions.signal,
      );
    },
  };
  return control;
}

function resolveEmbedder(choice: string | Embedder | false, options: MemoryClientOptions): Embedder | undefined {
  if (choice === false) return undefined;
  if (typeof choice !== 'string') return choice;
  return createTransformersEmbedder({
    model: choice,
    batchSize: options.embedBatchSize ?? DEFAULTS.embedBatchSize,
    ...(options.modelsBaseUrl ? { modelsBaseUrl: options.modelsBaseUrl } : {}),
  });
}
