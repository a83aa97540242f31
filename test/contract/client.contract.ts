/**
 * The client contract: what every MemoryClient must do, in-process (Node, fake-indexeddb) and in
 * a Worker (real Chromium, real IndexedDB). Both runs use the real local word-vector embedder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryError, type MemoryClient, type MemoryClientOptions } from '../../src/sdk/index';
import { dumpDatabase } from './raw-dump';

export type ClientFactory = (options: MemoryClientOptions) => Promise<MemoryClient>;

const EMBEDDER = 'local/glove-sif-100d';
let profileCounter = 0;

export function describeClientContract(name: string, mode: MemoryClient['mode'], create: ClientFactory): void {
  describe(`client contract: ${name}`, () => {
    const open: MemoryClient[] = [];
    const fresh = async (options: MemoryClientOptions = {}) => {
      const client = await create({ profileId: `p${Date.now()}x${profileCounter++}`, embedder: EMBEDDER, ...options });
      open.push(client);
      return client;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((client) => client.close()));
    });

    it(`runs ${mode}`, async () => {
      const client = await fresh();
      expect(client.mode).toBe(mode);
      expect((await client.status()).mode).toBe(mode);
    });

    it('finds a stored memory by meaning, with a score explanation', async () => {
      const client = await fresh();
      await client.memories.add('I take my coffee black every morning');
      await client.memories.add('The car needs new winter tyres');
      await client.memories.add('My sister plays the violin in an orchestra');
      const results = await client.memories.search('espresso or tea?');
      expect(results[0]?.item.text).toBe('I take my coffee black every morning');
      expect(results[0]?.explanation.mode).not.toBe('lexical');
      expect(results[0]?.explanation.similarity).toBeGreaterThan(results[1]?.explanation.similarity ?? 1);
      expect(results.map((r) => r.rank)).toEqual(results.map((_, i) => i + 1));
      for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score);
      const { contributions } = results[0]!.explanation;
      expect(contributions.similarity + contributions.lexical + contributions.recency + contributions.importance).toBeCloseTo(
        results[0]!.score,
        6,
      );
      expect((await client.status()).retrieval).toBe('hybrid');
    });

    it('gets, lists, updates and deletes, and search follows every change', async () => {
      const client = await fresh();
      const dog = await client.memories.add('We adopted a dog called Biscuit', { kind: 'fact', metadata: { speaker: 'Ana' } });
      await client.memories.add('The meeting moved to Thursday');
      expect(await client.memories.get(dog.id)).toMatchObject({ text: dog.text, kind: 'fact', metadata: { speaker: 'Ana' } });
      expect((await client.memories.list()).map((m) => m.text)).toEqual(['The meeting moved to Thursday', dog.text]);
      expect(await client.memories.count()).toBe(2);

      const updated = await client.memories.update(dog.id, { text: 'We adopted a cat called Biscuit', pinned: true });
      expect(updated).toMatchObject({ text: 'We adopted a cat called Biscuit', pinned: true });
      expect((await client.memories.history(dog.id))[1]).toMatchObject({
        actor: 'user',
        action: 'update',
        before: { text: 'We adopted a dog called Biscuit' },
        after: { text: 'We adopted a cat called Biscuit', pinned: true },
      });
      expect((await client.memories.search('cat'))[0]?.item.id).toBe(dog.id);

      await client.memories.delete(dog.id);
      expect(await client.memories.get(dog.id)).toBeUndefined();
      const history = await client.memories.history(dog.id);
      expect(history.map((entry) => [entry.actor, entry.action])).toEqual([
        ['user', 'create'],
        ['user', 'update'],
        ['user', 'delete'],
      ]);
      expect(history.every((entry) => entry.before === undefined && entry.after === undefined)).toBe(true);
      expect(history.slice(0, 2).every((entry) => entry.redacted)).toBe(true);
      expect((await client.memories.search('Biscuit cat')).map((r) => r.item.id)).not.toContain(dog.id);
      expect(await client.memories.count()).toBe(1);
    });

    it("forgets a deleted memory's words everywhere: rows, vectors, audit trail and saved index", async () => {
      const profileId = `forget${Date.now()}x${profileCounter++}`;
      const client = await create({ profileId, embedder: EMBEDDER });
      const secret = await client.memories.add('Zebrawood is the name of my therapist');
      await client.memories.update(secret.id, { text: 'Zebrawood clinic, room twelve' });
      await client.memories.add('A memory that stays');
      await client.close(); // saves the lexical index with the secret in it
      const again = await create({ profileId, embedder: EMBEDDER });
      await again.memories.delete(secret.id);
      await again.close();
      const dump = await dumpDatabase(`mneme-${profileId}`);
      expect(dump).toContain('A memory that stays');
      expect(dump.toLowerCase()).not.toContain('zebrawood');
      expect(dump.toLowerCase()).not.toContain('therapist');
    });

    it('keeps memories and their vectors after the client is closed and opened again', async () => {
      const profileId = `persist${Date.now()}x${profileCounter++}`;
      const first = await create({ profileId, embedder: EMBEDDER });
      await first.memories.add('Our flat is in Lisbon near the river');
      await first.close();
      const second = await fresh({ profileId });
      expect(await second.memories.count()).toBe(1);
      const [hit] = await second.memories.search('which city do we live in');
      expect(hit?.item.text).toBe('Our flat is in Lisbon near the river');
      expect(hit?.explanation.similarity).toBeDefined();
    });

    it('finds the same memories with every vector index', async () => {
      const tops = [];
      for (const vectorIndex of ['flat', 'int8', 'voy'] as const) {
        const client = await fresh({ vectorIndex });
        await client.memories.add('I take my coffee black every morning');
        await client.memories.add('The car needs new winter tyres');
        const [top] = await client.memories.search('espresso');
        tops.push([top?.item.text, top?.explanation.similarity?.toFixed(5)]);
      }
      expect(tops[0]?.[0]).toBe('I take my coffee black every morning');
      expect(tops[1]).toEqual(tops[0]);
      expect(tops[2]).toEqual(tops[0]);
    });

    it('lists memories in the order they were added, even within one batch', async () => {
      const client = await fresh({ embedder: false });
      const texts = Array.from({ length: 40 }, (_, i) => `batch note ${i}`);
      await client.memories.addMany(texts.map((text) => ({ text })));
      await client.memories.add('added last');
      expect((await client.memories.list({ order: 'oldest', limit: 100 })).map((m) => m.text)).toEqual([...texts, 'added last']);
      expect((await client.memories.list({ limit: 1 }))[0]?.text).toBe('added last');
    });

    it('keeps profiles apart', async () => {
      const a = await fresh();
      const b = await fresh();
      await a.memories.add('A secret only profile A knows');
      expect(await b.memories.count()).toBe(0);
      expect(await b.memories.search('secret')).toEqual([]);
    });

    it('lists, renames and deletes profiles; a deleted profile comes back empty', async () => {
      const a = await fresh();
      const bId = `gone${Date.now()}x${profileCounter++}`;
      const b = await create({ profileId: bId, embedder: false });
      await b.memories.add('Only in profile B');
      await b.close();
      const ids = (await a.profiles.list()).map((p) => p.id);
      expect(ids).toContain(bId);
      expect(ids).toContain((await a.status()).profileId);
      expect((await a.profiles.rename(bId, '  Work  ')).name).toBe('Work');
      await expect(a.profiles.delete((await a.status()).profileId)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await a.profiles.delete(bId);
      expect((await a.profiles.list()).map((p) => p.id)).not.toContain(bId);
      const again = await fresh({ profileId: bId, embedder: false });
      expect(await again.memories.count()).toBe(0);
    });

    it('works on lexical scoring alone without an embedder, and says so', async () => {
      const client = await fresh({ embedder: false });
      await client.memories.add('Remember to water the basil');
      await client.memories.add('Flight to Oslo on Friday');
      const status = await client.status();
      expect(status.retrieval).toBe('lexical');
      expect(status.embedder.state).toBe('disabled');
      const results = await client.memories.search('when is the Oslo flight');
      expect(results[0]?.item.text).toBe('Flight to Oslo on Friday');
      expect(results[0]?.explanation.mode).toBe('lexical');
      expect(results[0]?.explanation.similarity).toBeUndefined();
    });

    it('falls back to lexical search when the embedding model is missing, and reports why', async () => {
      const client = await fresh({ embedder: 'nobody/no-such-model' });
      await client.memories.add('The plumber comes on Monday');
      const status = await client.status();
      expect(status.embedder.state).toBe('unavailable');
      expect(status.embedder.reason).toMatch(/no-such-model/);
      expect(status.retrieval).toBe('lexical');
      expect((await client.memories.search('plumber'))[0]?.explanation.mode).toBe('lexical');
      const failure = await client.embed(['x']).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MemoryError);
      expect((failure as MemoryError).code).toBe('MODEL_NOT_FOUND');
    });

    it('rejects with MemoryError and a code, as the same class', async () => {
      const client = await fresh();
      const notFound = await client.memories.update('missing-id', { text: 'x' }).catch((error: unknown) => error);
      expect(notFound).toBeInstanceOf(MemoryError);
      expect(notFound).toMatchObject({ name: 'MemoryError', code: 'NOT_FOUND' });
      const empty = await client.memories.add('   ').catch((error: unknown) => error);
      expect(empty).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(empty).toBeInstanceOf(MemoryError);
    });

    it('embeds into unit-length Float32Arrays and accepts a vector the host made', async () => {
      const client = await fresh();
      const [vector] = await client.embed(['a cup of tea']);
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector!.length).toBe(100);
      expect(Math.hypot(...vector!)).toBeCloseTo(1, 4);
      const item = await client.memories.add('hot drink preferences', { vector: vector! });
      expect(item.embeddingModel).toBe(EMBEDDER);
      const [hit] = await client.memories.search('tea');
      expect(hit?.item.id).toBe(item.id);
    });

    it('cancels a long ingest inside the SDK when the signal aborts', async () => {
      const client = await fresh({ embedBatchSize: 8 });
      const controller = new AbortController();
      // More than two ingest batches (1,024 memories each), so the abort lands between batches.
      const inputs = Array.from({ length: 2_500 }, (_, i) => ({ text: `note number ${i} about gardening` }));
      const seen: number[] = [];
      const failure = await client.memories
        .addMany(inputs, {
          signal: controller.signal,
          onProgress: (event) => {
            seen.push(event.loaded);
            if (event.loaded > 0) controller.abort();
          },
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(MemoryError);
      expect((failure as MemoryError).code).toBe('ABORTED');
      const stored = await client.memories.count();
      expect(stored).toBeGreaterThanOrEqual(1);
      expect(stored).toBeLessThan(2_500);
      expect(seen[0]).toBe(0);
    });

    it('rejects a call whose signal is already aborted', async () => {
      const client = await fresh();
      const failure = await client.memories.search('anything', { signal: AbortSignal.abort() }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'ABORTED' });
    });

    it('reports storage use and whether it is persistent', async () => {
      const client = await fresh({ embedder: false });
      await client.memories.add('a memory that takes some room');
      const info = await client.storage.estimate();
      expect(typeof info.persisted).toBe('boolean');
      if (mode === 'worker') expect(info.usage).toBeGreaterThan(0);
      expect(typeof (await client.storage.persist())).toBe('boolean');
    });

    it('rejects calls after close with CLOSED', async () => {
      const client = await create({ profileId: `closed${profileCounter++}`, embedder: false });
      await client.close();
      await expect(client.memories.count()).rejects.toMatchObject({ code: 'CLOSED' });
    });
  });
}
