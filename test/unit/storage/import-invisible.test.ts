/**
 * An import stores the texts a person sees, as typing them would: invisible format characters
 * (zero-width, bidi overrides, tag characters; see src/core/invisible.ts) are taken out of every
 * memory, conversation, profile value and episode a file brings.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';

/** "ignore", split by a zero-width space, reversed by a bidi override, with a hidden tag-character message. */
const HIDDEN = 'ig\u200Bnore \u202Eevil\u202C\u{E0041}\u{E0042} plan';
const SHOWN = 'ignore evil plan';
const INVISIBLE = /[\u200B\u202E\u202C\u{E0000}-\u{E007F}]/u;

let counter = 0;
const open = (): Promise<MemoryClient> =>
  createMemoryClient({
    profileId: `importinvisible${Date.now()}x${counter++}`,
    inWorker: false,
    embedder: false,
    modelsBaseUrl: process.env.MNEME_MODELS!,
  });

function fileWith(text: string): string {
  const at = Date.UTC(2026, 0, 2);
  const memory = { kind: 'note', importance: 0.5, pinned: false, createdAt: at, updatedAt: at, validFrom: at, metadata: {} };
  return JSON.stringify({
    format: 'mneme-export',
    version: 1,
    exportedAt: at,
    profile: { id: 'source' },
    memories: [
      { ...memory, id: 'm1', text },
      { ...memory, id: 'm2', text: ' \u200B\u2060 plain words \u200D' },
    ],
    vectors: [],
    tables: {
      sessions: [{ id: 's1', title: text, createdAt: at, updatedAt: at, turnCount: 1 }],
      turns: [{ id: 't1', sessionId: 's1', role: 'user', content: text, createdAt: at, seq: 0 }],
      summaries: [{ id: 's1', sessionId: 's1', text, turnsCovered: 1, createdAt: at, updatedAt: at }],
      profileFields: [
        {
          id: `interests:${text}`,
          field: 'interests',
          value: text,
          setBy: 'user',
          pinned: false,
          rejected: false,
          createdAt: at,
          updatedAt: at,
        },
      ],
      episodes: [
        {
          id: 'e1',
          task: text,
          status: 'succeeded',
          actions: [{ action: text, outcome: text, at }],
          lessons: [text],
          startedAt: at,
          memoryId: 'm1',
        },
      ],
    },
  });
}

describe('import and invisible format characters', () => {
  it('stores every imported text without them, as the same text typed would be stored', async () => {
    const client = await open();
    try {
      await client.data.import(fileWith(HIDDEN));
      const typed = await client.memories.add(HIDDEN);
      expect(typed.text).toBe(SHOWN);
      expect((await client.memories.get('m1'))?.text).toBe(typed.text);
      expect((await client.memories.get('m2'))?.text).toBe('plain words');
      expect((await client.sessions.get('s1'))?.title).toBe(SHOWN);
      expect((await client.sessions.turns('s1')).map((turn) => turn.content)).toEqual([SHOWN]);
      expect((await client.sessions.summary('s1'))?.text).toBe(SHOWN);
      const episode = await client.episodes.get('e1');
      expect([episode?.task, episode?.actions[0]?.action, episode?.actions[0]?.outcome, ...(episode?.lessons ?? [])]).toEqual([
        SHOWN,
        SHOWN,
        SHOWN,
        SHOWN,
      ]);
      const { entries } = await client.profile.get();
      expect(entries.map((entry) => [entry.id, entry.value])).toEqual([[`interests:${SHOWN}`, SHOWN]]);
      // The same interest typed later is the same entry, not a look-alike second one.
      await client.profile.update([{ op: 'add', field: 'interests', value: HIDDEN }]);
      expect((await client.profile.get()).entries).toHaveLength(1);
      expect(JSON.stringify(await client.data.export({ plaintext: true }))).not.toMatch(INVISIBLE);
    } finally {
      await client.close();
    }
  });

  it('refuses a memory that holds nothing visible, and changes nothing', async () => {
    const client = await open();
    try {
      await expect(client.data.import(fileWith('\u200B\u{E0041}\u202E'))).rejects.toMatchObject({ code: 'INVALID_IMPORT' });
      expect(await client.memories.count()).toBe(0);
    } finally {
      await client.close();
    }
  });
});
