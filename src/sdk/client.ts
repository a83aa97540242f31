import type {
  AddMemoryInput,
  AddMemoryOptions,
  LongCallOptions,
  ListOptions,
  MemoryItem,
  MemoryPatch,
  MemoryStatus,
  SearchOptions,
  SearchResult,
} from './types';

/** The mem0-like memory API: what a host calls to store and find memories. */
export interface MemoriesApi {
  /** Stores one memory, embeds it when an embedder is usable, and returns it. */
  add(text: string, options?: AddMemoryOptions): Promise<MemoryItem>;
  /**
   * Stores many memories in batches, reporting `{ phase: 'ingest', loaded, total }`. Each batch
   * is written in one transaction; an abort stops before the next batch and rejects with
   * `ABORTED` (batches already written stay).
   */
  addMany(inputs: AddMemoryInput[], options?: LongCallOptions): Promise<MemoryItem[]>;
  /** Ranked hybrid (dense + BM25) search; BM25 alone when no embedder is usable. */
  search(query: string, options?: SearchOptions): Promise<SearchResult[]>;
  get(id: string): Promise<MemoryItem | undefined>;
  list(options?: ListOptions): Promise<MemoryItem[]>;
  /** Changes a memory; a new text is re-embedded. Rejects with `NOT_FOUND` for an unknown id. */
  update(id: string, patch: MemoryPatch): Promise<MemoryItem>;
  /** Deletes the memory, its vector and its index entries together. Unknown ids are ignored. */
  delete(id: string): Promise<void>;
  count(): Promise<number>;
}

/** What `createMemoryClient` returns: the same interface in a worker and in-process. */
export interface MemoryClient {
  readonly mode: 'worker' | 'in-process';
  readonly memories: MemoriesApi;
  status(): Promise<MemoryStatus>;
  /**
   * Embeds texts with the client's embedder (unit vectors). Rejects with `MODEL_NOT_FOUND` /
   * `MODEL_LOAD_FAILED` when no embedder is usable. In worker mode the vectors are transferred.
   */
  embed(texts: string[], options?: LongCallOptions & { kind?: 'query' | 'passage' }): Promise<Float32Array[]>;
  /** Closes the database and stops the worker. Later calls reject with `CLOSED`. */
  close(): Promise<void>;
}
