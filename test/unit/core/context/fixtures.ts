/** Inputs for the context-builder tests: memories, episodes, turns and profiles as the core hands them over. */
import type { Episode, MemoryKind, SearchResult, Turn, UserProfile } from '../../../../src/sdk/types';
import type { Tokenizer } from '../../../../src/core/ports';

export const DAY = Date.UTC(2026, 10, 25);

export function memory(id: string, text: string, kind: MemoryKind = 'fact', rank = 1): SearchResult {
  return {
    item: { id, text, kind, importance: 0.5, pinned: false, createdAt: DAY, updatedAt: DAY, validFrom: DAY, metadata: {} },
    score: 1 / rank,
    rank,
    explanation: {
      mode: 'hybrid',
      recency: 1,
      importance: 0.5,
      contributions: { similarity: 1, lexical: 0, recency: 0, importance: 0 },
      via: ['dense'],
    },
  };
}

/** Memories `m0`, `m1`, … with the given texts, ranked in that order. */
export const ranked = (texts: string[]) => texts.map((text, i) => memory(`m${i}`, text, 'fact', i + 1));

export function episode(task: string, overrides: Partial<Episode> = {}): Episode {
  return {
    id: `e-${task}`,
    task,
    status: 'succeeded',
    actions: [],
    lessons: [],
    startedAt: DAY,
    memoryId: `mem-${task}`,
    ...overrides,
  };
}

export function turn(seq: number, role: Turn['role'], content: string): Turn {
  return { id: `t${seq}`, sessionId: 's', role, content, createdAt: DAY + seq, seq };
}

/** `n` turns alternating user / assistant, each saying `message <i>` and some padding. */
export const conversation = (n: number, padding = 10) =>
  Array.from({ length: n }, (_, i) => turn(i, i % 2 ? 'assistant' : 'user', `message ${i} ${'words '.repeat(padding)}`.trim()));

export const emptyProfile = (): UserProfile => ({ interests: [], goals: [], preferences: {}, facts: [] });

/** Tokenizers of other shapes than the estimate: the budget must hold for any of them. */
export const charTokenizer: Tokenizer = { count: (text) => text.length };
export const wordTokenizer: Tokenizer = { count: (text) => text.split(/\s+/).filter(Boolean).length };

/** The tag lines of a prompt (`role`, `/role`, …): tags always stand alone on their line. */
export const tagLines = (prompt: string) => [...prompt.matchAll(/^<(\/?)([a-z_]+)>$/gm)].map((m) => `${m[1]}${m[2]}`);

/** A section's body: what lies between its opening and its closing tag lines. */
export const bodyOf = (content: string) => content.slice(content.indexOf('\n') + 1, content.lastIndexOf('\n'));

export const MEMORY_TAGS = ['user_profile', 'relevant_memories', 'past_experiences', 'conversation_summary'];
