/** Memories for tests that only care about an id and a text. */
import type { MemoryItem } from '../../src/sdk/types';

/** A plain note `id` with `text`, stored at time 1. */
export const noteItem = (id: string, text: string): MemoryItem => ({
  id,
  text,
  kind: 'note',
  importance: 0.5,
  pinned: false,
  createdAt: 1,
  updatedAt: 1,
  validFrom: 1,
  metadata: {},
});
