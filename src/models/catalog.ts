/**
 * Embedding models the SDK knows by id: their vector size and the prefixes some of them need.
 * Any other transformers.js feature-extraction model id also works; it just has no entry here.
 */
export interface EmbedderCatalogEntry {
  id: string;
  /** A person's name for it; the id is shown beneath. */
  label: string;
  /** Vector length. */
  dimension: number;
  /** Approximate download of the default dtype, in megabytes. */
  downloadMB: number;
  /** Text put before a query / a stored passage (e5, bge). */
  queryPrefix?: string;
  passagePrefix?: string;
  /** False for fixtures that exercise plumbing but carry no meaning. */
  semantic: boolean;
  /** A test model: listed only where a local models folder provides it, never offered from the hub. */
  fixture?: boolean;
  description: string;
}

export const EMBEDDER_CATALOG: readonly EmbedderCatalogEntry[] = [
  {
    id: 'Xenova/all-MiniLM-L6-v2',
    label: 'MiniLM (English, small)',
    dimension: 384,
    downloadMB: 23,
    semantic: true,
    description: 'Small, fast English sentence embedder (default).',
  },
  {
    id: 'Xenova/bge-small-en-v1.5',
    label: 'BGE small (English, questions)',
    dimension: 384,
    downloadMB: 34,
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
    semantic: true,
    description: 'English retrieval embedder; stronger on questions.',
  },
  {
    id: 'Xenova/gte-small',
    label: 'GTE small (English)',
    dimension: 384,
    downloadMB: 34,
    semantic: true,
    description: 'English general-purpose embedder.',
  },
  {
    id: 'Xenova/multilingual-e5-small',
    label: 'E5 small (many languages)',
    dimension: 384,
    downloadMB: 118,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    semantic: true,
    description: 'About 100 languages.',
  },
  {
    id: 'local/glove-sif-100d',
    label: 'Word vectors (test model)',
    dimension: 100,
    downloadMB: 11,
    semantic: true,
    fixture: true,
    description: 'Averages word meanings; tiny, for offline builds and tests.',
  },
  {
    id: 'fixtures/toy-bow-embedder-384',
    label: 'Random test embedder (test model)',
    dimension: 384,
    downloadMB: 4,
    semantic: false,
    fixture: true,
    description: 'Random weights: finds nothing by meaning; for tests only.',
  },
];

export function findEmbedder(id: string): EmbedderCatalogEntry | undefined {
  return EMBEDDER_CATALOG.find((entry) => entry.id === id);
}

/**
 * The embedder to use among the models a local folder offers: the first semantic catalog
 * entry present, in catalog order (so a real MiniLM beats the word-vector model).
 */
export function preferredLocalEmbedder(available: readonly string[]): string | undefined {
  return EMBEDDER_CATALOG.find((entry) => entry.semantic && available.includes(entry.id))?.id;
}
