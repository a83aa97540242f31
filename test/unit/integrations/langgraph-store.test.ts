/**
 * `mneme/langgraph`'s `MnemeStore` in Node (fake-indexeddb, keyword ranking): LangGraph's store
 * semantics (namespaces and prefixes, filters, pages, `null` deletes, `index: false`, item times),
 * a graph that uses it through `compile({ store })`, and the same random operations run against
 * LangGraph's own `InMemoryStore`, which must agree on everything but the order and scores of a
 * search with a query.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import { InMemoryStore, type Item, type SearchItem } from '@langchain/langgraph-checkpoint';
import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { MnemeStore } from '../../../src/integrations/langgraph/index';
import { createMemoryClient, type MemoryClient } from '../../../src/sdk/index';

let client: MemoryClient;
let counter = 0;

const open = (storageName: string) =>
  createMemoryClient({ storageName, inWorker: false, embedder: false, modelsBaseUrl: process.env.MNEME_MODELS! });

beforeAll(async () => {
  client = await open(`lgstore${Date.now()}`);
});
afterAll(async () => {
  await client.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A namespace root no other test uses. */
const root = () => `t${counter++}`;
const shape = (item: Item | null) => item && { namespace: item.namespace, key: item.key, value: item.value };
/** The options without their undefined fields (the store's option types are exact). */
const defined = <T extends object>(options: T) =>
  Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };

describe('MnemeStore', () => {
  it('puts, gets and deletes items by namespace and key; a put of null deletes', async () => {
    const store = new MnemeStore(client);
    const ns = [root(), 'alice'];
    expect(await store.get(ns, 'prefs')).toBeNull();
    await store.put(ns, 'prefs', { theme: 'dark', sizes: [1, 2], nested: { a: true } });
    expect(shape(await store.get(ns, 'prefs'))).toEqual({
      namespace: ns,
      key: 'prefs',
      value: { theme: 'dark', sizes: [1, 2], nested: { a: true } },
    });
    expect(await store.get([ns[0]!], 'prefs')).toBeNull();
    await store.put(ns, 'other', { x: 1 });
    await store.batch([{ namespace: ns, key: 'prefs', value: null }]);
    expect(await store.get(ns, 'prefs')).toBeNull();
    await store.delete(ns, 'other');
    expect(await store.get(ns, 'other')).toBeNull();
    expect(await store.search(ns)).toEqual([]);
  });

  it('keeps createdAt and moves updatedAt when an item is put again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const store = new MnemeStore(client);
    const ns = [root()];
    await store.put(ns, 'k', { v: 1 });
    const first = (await store.get(ns, 'k'))!;
    expect(first.createdAt).toEqual(new Date('2026-03-01T10:00:00Z'));
    expect(first.updatedAt).toEqual(first.createdAt);
    vi.setSystemTime(new Date('2026-03-02T10:00:00Z'));
    await store.put(ns, 'k', { v: 2 });
    const second = (await store.get(ns, 'k'))!;
    expect(second.value).toEqual({ v: 2 });
    expect(second.createdAt).toEqual(first.createdAt);
    expect(second.updatedAt).toEqual(new Date('2026-03-02T10:00:00Z'));
  });

  it('searches a namespace prefix with filters, limit and offset, in the order items were first put', async () => {
    const store = new MnemeStore(client);
    const top = root();
    await store.put([top, 'a'], '1', { kind: 'pet', age: 3 });
    await store.put([top, 'a', 'deep'], '2', { kind: 'pet', age: 7 });
    await store.put([top, 'b'], '3', { kind: 'car', age: 5 });
    await store.put([top, 'ab'], '4', { kind: 'pet', age: 1 });
    await store.put([top, 'a'], '1', { kind: 'pet', age: 4 });
    const keys = (items: Item[]) => items.map((item) => item.key);
    expect(keys(await store.search([top]))).toEqual(['1', '2', '3', '4']);
    expect(keys(await store.search([top, 'a']))).toEqual(['1', '2']);
    expect(keys(await store.search([top], { filter: { kind: 'pet' } }))).toEqual(['1', '2', '4']);
    expect(keys(await store.search([top], { filter: { kind: 'pet', age: { $gte: 4 } } }))).toEqual(['1', '2']);
    expect(keys(await store.search([top], { filter: { kind: { $in: ['car'] } } }))).toEqual(['3']);
    expect(keys(await store.search([top], { filter: { kind: { $ne: 'pet' } } }))).toEqual(['3']);
    expect(keys(await store.search([top], { limit: 2, offset: 1 }))).toEqual(['2', '3']);
    expect((await store.search([top], { filter: { kind: 'pet' } }))[0]!.value).toEqual({ kind: 'pet', age: 4 });
  });

  it('ranks by Mneme’s search for a query; `index: false` items and `fields` decide what is searched', async () => {
    const store = new MnemeStore(client, { fields: ['text'] });
    const ns = [root(), 'memories'];
    await store.put(ns, 'tea', { text: 'Alice drinks green tea every morning', tag: 'coffee' });
    await store.put(ns, 'bike', { text: 'Alice rides a bike to work' });
    await store.put(ns, 'secret', { text: 'green tea is a secret' }, false);
    await store.put(ns, 'tagged', { text: 'nothing here', tag: 'green tea' }, ['tag']);
    const found = await store.search(ns, { query: 'green tea' });
    expect(
      found
        .map((item) => item.key)
        .slice(0, 2)
        .sort(),
    ).toEqual(['tagged', 'tea']);
    expect(found[0]!.score).toBeGreaterThan(0);
    expect(found.map((item) => item.key).slice(2)).toEqual(['bike', 'secret']);
    expect(found[2]!.score).toBe(0);
    expect(found[3]!.score).toBeUndefined();
    const coffee = await store.search(ns, { query: 'coffee' });
    expect(coffee.every((item) => !item.score)).toBe(true);
  });

  it('lists the namespaces that hold items, by prefix, suffix, wildcard and depth', async () => {
    const store = new MnemeStore(client);
    const top = root();
    for (const ns of [
      [top, 'users', 'alice'],
      [top, 'users', 'bob'],
      [top, 'docs', 'alice'],
      [top, 'users', 'alice', 'drafts'],
    ])
      await store.put(ns, 'k', { v: 1 });
    await store.delete([top, 'users', 'bob'], 'k');
    expect(await store.listNamespaces({ prefix: [top] })).toEqual([
      [top, 'docs', 'alice'],
      [top, 'users', 'alice'],
      [top, 'users', 'alice', 'drafts'],
    ]);
    expect(await store.listNamespaces({ prefix: [top, '*', 'alice'], maxDepth: 3 })).toEqual([
      [top, 'docs', 'alice'],
      [top, 'users', 'alice'],
    ]);
    expect(await store.listNamespaces({ prefix: [top], suffix: ['alice'] })).toEqual([
      [top, 'docs', 'alice'],
      [top, 'users', 'alice'],
    ]);
    expect(await store.listNamespaces({ prefix: [top], maxDepth: 2, limit: 1, offset: 1 })).toEqual([[top, 'users']]);
  });

  it('refuses what LangGraph’s stores refuse and writes nothing of such a batch', async () => {
    const store = new MnemeStore(client);
    const ns = [root()];
    await expect(store.put([], 'k', { v: 1 })).rejects.toThrow(/empty/);
    await expect(store.put([ns[0]!, 'a.b'], 'k', { v: 1 })).rejects.toThrow(/period/);
    await expect(
      store.batch([
        { namespace: ns, key: 'ok', value: { v: 1 } },
        { namespace: [ns[0]!, ''], key: 'bad', value: { v: 1 } },
      ]),
    ).rejects.toThrow(/empty/);
    expect(await store.get(ns, 'ok')).toBeNull();
  });

  it('keeps items in the profile: another store over the reopened profile sees them; other memories are left alone', async () => {
    const storageName = `lgkeep${Date.now()}`;
    const first = await open(storageName);
    await first.memories.add('I like jazz', { kind: 'note' });
    await new MnemeStore(first).put(['prefs'], 'music', { text: 'jazz' });
    await first.close();
    const again = await open(storageName);
    const store = new MnemeStore(again);
    expect(shape(await store.get(['prefs'], 'music'))).toEqual({ namespace: ['prefs'], key: 'music', value: { text: 'jazz' } });
    expect((await store.search([])).map((item) => item.key)).toEqual(['music']);
    expect((await again.memories.list()).map((memory) => memory.text).sort()).toEqual(['I like jazz', '{\n  "text": "jazz"\n}']);
    await again.close();
  });

  it('serves a LangGraph graph compiled with it: nodes write and search through `config.store`', async () => {
    const store = new MnemeStore(client, { fields: ['text'] });
    const State = Annotation.Root({
      user: Annotation<string>,
      message: Annotation<string>,
      recalled: Annotation<string[]>,
    });
    const graph = new StateGraph(State)
      .addNode('remember', async (state: typeof State.State, config: LangGraphRunnableConfig) => {
        const ns = ['graph', state.user];
        const count = (await config.store!.search(ns, { limit: 100 })).length;
        await config.store!.put(ns, `m${count}`, { text: state.message });
        const found = await config.store!.search(ns, { query: state.message, limit: 1 });
        return { recalled: found.map((item) => String(item.value.text)) };
      })
      .addEdge(START, 'remember')
      .addEdge('remember', END)
      .compile({ store });
    await graph.invoke({ user: 'ada', message: 'I love jazz concerts' });
    await graph.invoke({ user: 'ada', message: 'My cat is called Pixel' });
    const result = await graph.invoke({ user: 'ada', message: 'which concerts do I love?' });
    expect(result.recalled).toEqual(['I love jazz concerts']);
    expect((await store.search(['graph', 'ada'])).map((item) => item.value.text)).toEqual([
      'I love jazz concerts',
      'My cat is called Pixel',
      'which concerts do I love?',
    ]);
    const stored = await client.memories.search('Pixel', { kinds: ['note'] });
    expect(stored[0]?.item.text).toBe('My cat is called Pixel');
  });
});

describe('MnemeStore against LangGraph’s InMemoryStore (random operation sequences)', () => {
  const label = fc.constantFrom('a', 'b', 'c');
  const word = fc.constantFrom('tea', 'jazz', 'bike', 'rain', 'cat');
  const value = fc.record({ text: word, n: fc.integer({ min: 0, max: 3 }), tag: fc.constantFrom('x', 'y') });
  const namespace = fc.array(label, { minLength: 1, maxLength: 3 });
  const key = fc.constantFrom('k1', 'k2', 'k3');
  const filter = fc.option(
    fc.oneof(
      fc.record({ tag: fc.constantFrom('x', 'y') }),
      fc.record({ n: fc.record({ $gte: fc.integer({ min: 0, max: 3 }) }) }),
      fc.record({ text: fc.record({ $in: fc.array(word, { maxLength: 2 }) }) }),
    ),
    { nil: undefined },
  );
  const operation = fc.oneof(
    fc.record({
      op: fc.constant('put' as const),
      namespace,
      key,
      value,
      index: fc.constantFrom<false | string[] | undefined>(undefined, false, ['text'], ['missing']),
    }),
    fc.record({ op: fc.constant('delete' as const), namespace, key }),
    fc.record({ op: fc.constant('get' as const), namespace, key }),
    fc.record({
      op: fc.constant('search' as const),
      prefix: fc.array(label, { maxLength: 2 }),
      filter,
      query: fc.option(word, { nil: undefined }),
      limit: fc.integer({ min: 1, max: 5 }),
      offset: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({
      op: fc.constant('list' as const),
      prefix: fc.option(fc.array(fc.oneof(label, fc.constant('*')), { maxLength: 2 }), { nil: undefined }),
      suffix: fc.option(fc.array(label, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      maxDepth: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    }),
  );

  it('agrees on gets, searches and namespaces after every operation', async () => {
    const store = new MnemeStore(client, { fields: ['text', 'tag'] });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (operations) => {
        const top = root();
        const reference = new InMemoryStore({ index: { dims: 4, embeddings: new FakeEmbeddings(), fields: ['text', 'tag'] } });
        const within = (ns: string[]) => [top, ...ns];
        for (const step of operations) {
          if (step.op === 'put') {
            // InMemoryStore never drops the vector of a field an earlier put indexed (only a delete does),
            // so an item put again with other fields, none found or `index: false` is still found by its old
            // text. Mneme finds an item by what its latest put indexed: the reference is brought to that.
            (reference as unknown as { vectors: Map<string, Map<string, unknown>> }).vectors
              .get(within(step.namespace).join(':'))
              ?.delete(step.key);
            await reference.put(within(step.namespace), step.key, step.value, step.index);
            await store.put(within(step.namespace), step.key, step.value, step.index);
          } else if (step.op === 'delete') {
            await reference.delete(within(step.namespace), step.key);
            await store.delete(within(step.namespace), step.key);
          } else if (step.op === 'get') {
            const [expected, actual] = [
              await reference.get(within(step.namespace), step.key),
              await store.get(within(step.namespace), step.key),
            ];
            expect(shape(actual)).toEqual(shape(expected));
          } else if (step.op === 'search') {
            const options = defined({ filter: step.filter, query: step.query });
            const expected = await reference.search(within(step.prefix), { ...options, limit: 100 });
            const actual = await store.search(within(step.prefix), { ...options, limit: 100 });
            const paged = await store.search(within(step.prefix), { ...options, limit: step.limit, offset: step.offset });
            if (step.query === undefined) {
              expect(actual.map(shape)).toEqual(expected.map(shape));
            } else {
              const sorted = (items: Item[]) => items.map((item) => JSON.stringify(shape(item))).sort();
              expect(sorted(actual)).toEqual(sorted(expected));
              // Items without text to search come last in both, in the order they were put.
              const unscored = (items: SearchItem[]) => items.filter((item) => item.score === undefined);
              expect(unscored(actual).map(shape)).toEqual(unscored(expected).map(shape));
            }
            expect(paged.map(shape)).toEqual(actual.slice(step.offset, step.offset + step.limit).map(shape));
          } else {
            const options = defined({
              prefix: within(step.prefix ?? []),
              suffix: step.suffix,
              maxDepth: step.maxDepth,
              limit: 100,
            });
            // InMemoryStore also lists namespaces whose items were all deleted; Mneme lists those that hold
            // items. So the reference's full list (no depth cut) loses the emptied ones, then is cut to depth.
            const held = new Set((await reference.search([top], { limit: 1000 })).map((item) => item.namespace.join(':')));
            const full = (await reference.listNamespaces(defined({ ...options, maxDepth: undefined }))).filter((ns) =>
              held.has(ns.join(':')),
            );
            const cut = new Map(full.map((ns) => ns.slice(0, step.maxDepth)).map((ns) => [ns.join(':'), ns]));
            const expected = [...cut.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, ns]) => ns);
            expect(await store.listNamespaces(options)).toEqual(expected);
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000);
});
