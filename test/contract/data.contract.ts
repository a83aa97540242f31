/** Export, import and wipe, run over both clients. */
import { describe, expect, it } from 'vitest';
import { MemoryError, type MemoryClient } from '../../src/sdk/index';
import type { ClientFactory } from './client.contract';
import { reembedded } from './events';

let counter = 0;
const EMBEDDER = 'local/glove-sif-100d';

async function snapshot(client: MemoryClient) {
  return (await client.memories.list({ order: 'oldest' })).map(({ id, text, kind, pinned, metadata, importance }) => ({
    id,
    text,
    kind,
    pinned,
    metadata,
    importance,
  }));
}

export function describeDataContract(name: string, create: ClientFactory): void {
  describe(`export and import: ${name}`, () => {
    const fresh = (embedder: string | false = EMBEDDER) => create({ profileId: `data${Date.now()}x${counter++}`, embedder });

    it('round-trips a profile through export → wipe → import, vectors included', async () => {
      const client = await fresh();
      await client.memories.add('I am allergic to peanuts', {
        kind: 'fact',
        pinned: true,
        importance: 0.9,
        metadata: { source: 'chat' },
      });
      await client.memories.add('Our cat is called Miso');
      const before = await snapshot(client);
      const text = await client.data.export();
      expect(JSON.parse(text)).toMatchObject({ format: 'mneme-export', version: 1 });
      await client.data.wipe();
      expect(await client.memories.count()).toBe(0);
      const report = await client.data.import(text);
      expect(report).toMatchObject({ mode: 'merge', memories: 2, vectors: 2, needReembedding: 0 });
      expect(await snapshot(client)).toEqual(before);
      const [hit] = await client.memories.search('food allergy');
      expect(hit?.item.text).toBe('I am allergic to peanuts');
      expect(hit?.explanation.similarity).toBeDefined();
      await client.close();
    });

    it('seals an export with a passphrase and needs it back to import', async () => {
      const client = await fresh(false);
      await client.memories.add('Bank PIN hint: grandmother street');
      const text = await client.data.export({ passphrase: 'export passphrase' });
      expect(text).not.toContain('grandmother');
      const target = await fresh(false);
      // Not an invalid file: a sealed one, and the error says what to give.
      await expect(target.data.import(text)).rejects.toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
      expect(await target.memories.count()).toBe(0);
      await expect(target.data.import(text, { passphrase: 'wrong passphrase' })).rejects.toMatchObject({
        code: 'WRONG_PASSPHRASE',
      });
      await target.data.import(text, { passphrase: 'export passphrase' });
      expect((await target.memories.list())[0]?.text).toBe('Bank PIN hint: grandmother street');
      await client.close();
      await target.close();
    });

    it('rejects a bad file with INVALID_IMPORT naming the problem, and changes nothing', async () => {
      const client = await fresh(false);
      await client.memories.add('Existing memory stays untouched');
      const before = await snapshot(client);
      const good = JSON.parse(await client.data.export());
      const item = good.memories[0];
      const cases: [string, unknown, RegExp][] = [
        ['not JSON', '{oops', /not JSON/],
        ['wrong format', JSON.stringify({ ...good, format: 'other' }), /format/],
        [
          'importance out of range',
          JSON.stringify({ ...good, memories: [{ ...item, id: 'x', importance: 2 }] }),
          /memories\[0\]\.importance/,
        ],
        ['unknown field', JSON.stringify({ ...good, memories: [{ ...item, id: 'x', evil: true }] }), /memories\[0\]/],
        ['duplicate ids', JSON.stringify({ ...good, memories: [item, item] }), /appears twice/],
        [
          'vector of no memory',
          JSON.stringify({ ...good, vectors: [{ id: 'ghost', model: 'm', dim: 1, data: 'AAAAAA==' }] }),
          /ghost/,
        ],
        [
          'vector of the wrong size',
          JSON.stringify({ ...good, vectors: [{ id: item.id, model: 'm', dim: 3, data: 'AAAAAA==' }] }),
          /3 numbers/,
        ],
        ['not text at all', 42, /export file/],
      ];
      for (const [label, text, message] of cases) {
        const error = await client.data.import(text as string).catch((e: unknown) => e);
        expect(error, label).toBeInstanceOf(MemoryError);
        expect((error as MemoryError).code, label).toBe('INVALID_IMPORT');
        expect((error as MemoryError).message, label).toMatch(message);
      }
      expect(await snapshot(client)).toEqual(before);
      await client.close();
    });

    it('re-embeds memories whose vectors came from another model instead of mixing spaces', async () => {
      const source = await fresh(false);
      await source.memories.add('We go skiing in the Alps every February');
      const file = JSON.parse(await source.data.export());
      file.vectors = [{ id: file.memories[0].id, model: 'other/model-384', dim: 2, data: 'AACAPwAAAAA=' }];
      file.memories[0].embeddingModel = 'other/model-384';
      const target = await fresh();
      const report = await target.data.import(JSON.stringify(file));
      expect(report).toMatchObject({ vectors: 0, needReembedding: 1 });
      const id = file.memories[0].id as string;
      await reembedded(target);
      expect((await target.memories.get(id))?.embeddingModel).toBe(EMBEDDER);
      expect((await target.memories.search('winter sports holiday'))[0]?.explanation.similarity).toBeDefined();
      await source.close();
      await target.close();
    });

    it('says what a merge brought: new memories, ones already there, and changed ones', async () => {
      const client = await fresh(false);
      const kept = await client.memories.add('Our cat is called Miso');
      const edited = await client.memories.add('The boiler is serviced in May');
      const text = await client.data.export();
      expect(await client.data.import(text)).toMatchObject({ memories: 2, added: 0, unchanged: 2, updated: 0 });
      expect(await client.memories.count()).toBe(2);
      await client.memories.update(edited.id, { text: 'The boiler is serviced in June' });
      await client.memories.delete(kept.id);
      await client.memories.add('A memory the file does not have');
      expect(await client.data.import(text)).toMatchObject({ mode: 'merge', memories: 2, added: 1, unchanged: 0, updated: 1 });
      expect((await client.memories.get(edited.id))?.text).toBe('The boiler is serviced in May');
      expect(await client.memories.count()).toBe(3);
      await client.close();
    });

    it('logs a pin and an unpin as such, and an edit as an update', async () => {
      const client = await fresh(false);
      const item = await client.memories.add('Passport renewal is due in 2027');
      await client.memories.update(item.id, { pinned: true });
      await client.memories.update(item.id, { pinned: false });
      await client.memories.update(item.id, { text: 'Passport renewal is due in March 2027' });
      expect((await client.memories.history(item.id)).map((entry) => entry.action)).toEqual(['create', 'pin', 'unpin', 'update']);
      await client.close();
    });

    it('merges by default and replaces on request', async () => {
      const a = await fresh(false);
      await a.memories.add('From profile A');
      const exported = await a.data.export();
      const b = await fresh(false);
      await b.memories.add('From profile B');
      await b.data.import(exported);
      expect((await b.memories.list({ order: 'oldest' })).map((m) => m.text).sort()).toEqual([
        'From profile A',
        'From profile B',
      ]);
      await b.data.import(exported, { mode: 'replace' });
      expect((await b.memories.list()).map((m) => m.text)).toEqual(['From profile A']);
      await a.close();
      await b.close();
    });
  });
}
