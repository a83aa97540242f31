/** Memories and ranked lists for the ranking steps' tests: a turn whose text is its id, scored by one channel. */
import type { Ranked } from '../../../../src/core/ranking/hybrid';
import type { MemoryItem } from '../../../../src/sdk/types';

/** A turn named `id` (its text too), stored at `at` and valid from `validFrom` (default: when stored). */
export const turnItem = (id: string, metadata: MemoryItem['metadata'], at = 0, validFrom = at): MemoryItem => ({
  id,
  text: id,
  kind: 'turn',
  importance: 0.5,
  pinned: false,
  createdAt: at,
  updatedAt: at,
  validFrom,
  metadata,
});

/** A fused list as the ranking steps get it: each memory with its score, found by keywords or by meaning. */
export const rankedBy =
  (channel: 'lexical' | 'dense') =>
  (entries: [MemoryItem, number][]): Ranked[] =>
    entries.map(([memory, score]) => ({
      item: memory,
      score,
      explanation: {
        mode: 'hybrid',
        recency: 0,
        importance: 0.5,
        contributions: {
          similarity: channel === 'dense' ? score : 0,
          lexical: channel === 'lexical' ? score : 0,
          recency: 0,
          importance: 0,
        },
        via: [channel],
      },
    }));
