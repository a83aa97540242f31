/** Switching the embedding model at run time, and the re-embedding job that follows. */
import { describe, expect, it } from 'vitest';
import type { MemoryClient, MemoryEvent } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { NOTES as EVERYDAY } from './notes';

let counter = 0;
const TOY = 'fixtures/toy-bow-embedder-384';
const GLOVE = 'local/glove-sif-100d';
/** The first five notes (the search expectations below were written for these). */
const NOTES = EVERYDAY.slice(0, 5);

function finished(client: MemoryClient, events: MemoryEvent[]): Promise<void> {
  return new Promise((resolve) => {
    const check = () => events.some((e) => e.type === 'reembedding' && e.finished);
    if (check()) return resolve();
    const stop = client.subscribe(() => {
      if (check()) {
        stop();
        resolve();
      }
    });
  });
}

export function describeEmbedderSwitchContract(name: string, create: ClientFactory): void {
  describe(`embedder switch: ${name}`, () => {
    it('loads the new model first, re-embeds every memory with progress, then searches with it', async () => {
      const profileId = `switch${Date.now()}x${counter++}`;
      const client = await create({ profileId, embedder: TOY });
      const filler = Array.from({ length: 40 }, (_, i) => ({ text: `Filler note number ${i} about nothing much` }));
      await client.memories.addMany([...NOTES.map((text) => ({ text })), ...filler]);
      expect((await client.status()).embedder).toMatchObject({ model: TOY, dimension: 384 });

      const events: MemoryEvent[] = [];
      client.subscribe((event) => events.push(event));
      const status = await client.useEmbedder(GLOVE);
      expect(status).toMatchObject({ model: GLOVE, dimension: 100, state: 'ready' });
      await finished(client, events);

      const progress = events.flatMap((e) => (e.type === 'reembedding' ? [e] : []));
      expect(progress[0]).toMatchObject({ model: GLOVE, done: 0, total: 45 });
      expect(progress.at(-1)).toMatchObject({ done: 45, total: 45, finished: true });
      expect(progress.map((e) => e.done)).toEqual([...progress.map((e) => e.done)].sort((a, b) => a - b));

      const after = await client.status();
      expect(after).toMatchObject({ retrieval: 'hybrid', embedder: { model: GLOVE } });
      expect(after.reembedding).toBeUndefined();
      const [top] = await client.memories.search('musical instrument');
      expect(top?.item.text).toBe(NOTES[1]);
      expect(top?.explanation.similarity).toBeGreaterThan(0);
      expect((await client.memories.list({ limit: 100 })).every((item) => item.embeddingModel === GLOVE)).toBe(true);
      await client.close();
    });

    it('keeps the current model when the new one cannot load', async () => {
      const client = await create({ profileId: `switch${Date.now()}x${counter++}`, embedder: GLOVE });
      await client.memories.add(NOTES[0]!);
      await expect(client.useEmbedder('nobody/no-such-embedder')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
      expect((await client.status()).embedder.model).toBe(GLOVE);
      expect((await client.memories.search('espresso'))[0]?.item.text).toBe(NOTES[0]);
      await client.close();
    });

    it('resumes re-embedding when the profile reopens with another model, and can switch to keywords only', async () => {
      const profileId = `switch${Date.now()}x${counter++}`;
      const first = await create({ profileId, embedder: TOY });
      await first.memories.addMany(NOTES.map((text) => ({ text })));
      await first.close();

      const events: MemoryEvent[] = [];
      const second = await create({ profileId, embedder: GLOVE });
      second.subscribe((event) => events.push(event));
      await second.memories.search('warm-up'); // loads the model; the job starts once it works
      await finished(second, events);
      expect((await second.memories.list()).every((item) => item.embeddingModel === GLOVE)).toBe(true);

      expect(await second.useEmbedder(false)).toMatchObject({ state: 'disabled' });
      expect((await second.status()).retrieval).toBe('lexical');
      expect((await second.memories.search('violin'))[0]?.item.text).toBe(NOTES[1]);
      await second.close();
    });
  });
}
