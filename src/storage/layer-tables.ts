/** The tables of this module stand apart from export-schema.ts so that rewriting a profile does not load zod. */
/** Tables of the memory layers exported as they are (filled by the memory core). */
export const LAYER_TABLES = [
  'sessions',
  'turns',
  'summaries',
  'profileFields',
  'episodes',
  'outbox',
  'archive',
  'audit',
] as const;
