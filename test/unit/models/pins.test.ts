import type { ModelRecord } from '@mlc-ai/web-llm';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pinnedFetch, pinnedRecords, revisionOf } from '../../../src/models/pins';
import { createTransformersEmbedder } from '../../../src/models/transformers-embedder';

/** The pins table the app's code reads, filled by a test (the real one holds no made-up pin). */
const testPins = vi.hoisted(() => ({}) as Record<string, import('../../../src/models/pins').ModelPin>);
vi.mock('../../../src/models/pins', async (original) => ({
  ...(await original<typeof import('../../../src/models/pins')>()),
  MODEL_PINS: testPins,
}));

// Made-up values of the right shape, for the mechanism only (never used to load anything).
const COMMIT = 'a'.repeat(40);
const SRI = `sha256-${'A'.repeat(43)}=`;
const RECORD: ModelRecord = {
  model: 'https://huggingface.co/mlc-ai/Demo-MLC',
  model_id: 'Demo-MLC',
  model_lib: 'https://example.invalid/libs/Demo-webgpu.wasm',
};

describe('model pins', () => {
  it('loads a pinned commit, and main for a model without a pin or with a malformed one', async () => {
    const { MODEL_PINS } = await vi.importActual<typeof import('../../../src/models/pins')>('../../../src/models/pins');
    expect(revisionOf('org/model', { 'org/model': { revision: COMMIT } })).toBe(COMMIT);
    expect(revisionOf('org/other', { 'org/model': { revision: COMMIT } })).toBe('main');
    expect(revisionOf('org/model', { 'org/model': { revision: 'main;rm' } })).toBe('main');
    // No pin is recorded without a real commit read from the hub.
    for (const pin of Object.values(MODEL_PINS)) expect(pin.revision ?? COMMIT).toMatch(/^[0-9a-f]{40}$/);
  });

  it('points WebLLM weights at the pinned commit and attaches the integrity hashes it checks', () => {
    const [pinned] = pinnedRecords([RECORD], {
      'Demo-MLC': { revision: COMMIT, integrity: { model_lib: SRI, config: 'not-an-sri', tokenizer: { 'tokenizer.json': SRI } } },
    });
    expect(pinned).toEqual({
      ...RECORD,
      model: `https://huggingface.co/mlc-ai/Demo-MLC/resolve/${COMMIT}/`,
      integrity: { model_lib: SRI, tokenizer: { 'tokenizer.json': SRI }, onFailure: 'error' },
    });
    expect(pinnedRecords([RECORD], {})).toEqual([RECORD]);
  });
});

describe('pins enforced on transformers.js files (a local fixture served on 127.0.0.1)', () => {
  const FIXTURE = join(process.env.MNEME_MODELS ?? 'models', 'fixtures', 'toy-bow-embedder-384');
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const file = join(FIXTURE, decodeURIComponent(request.url!.replace(/^\/models\/fixtures\/toy-bow-embedder-384\//, '')));
      readFile(file).then(
        (bytes) => response.writeHead(200, { 'content-type': 'application/json' }).end(bytes),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sriOf = (bytes: Buffer) => `sha256-${createHash('sha256').update(bytes).digest('base64')}`;

  it('passes a file that matches its pinned hash and refuses one that does not, naming it', async () => {
    const config = await readFile(join(FIXTURE, 'config.json'));
    const model = 'fixtures/toy-bow-embedder-384';
    const good = pinnedFetch(fetch, { [model]: { files: { 'config.json': sriOf(config) } } });
    const response = await good(`${base}${model}/config.json`);
    expect(Buffer.from(await response.arrayBuffer()).equals(config)).toBe(true);

    const altered = pinnedFetch(fetch, { [model]: { files: { 'config.json': sriOf(Buffer.from(`${config} `)) } } });
    await expect(altered(`${base}${model}/config.json`)).rejects.toMatchObject({
      name: 'MemoryError',
      code: 'MODEL_LOAD_FAILED',
      details: { file: `${base}${model}/config.json` },
    });
    // The hub's layout (…/resolve/<commit>/<file>) is checked the same way; unpinned files pass.
    const hub = pinnedFetch(async () => new Response(config), { [model]: { files: { 'config.json': sriOf(Buffer.from('x')) } } });
    await expect(hub(`https://huggingface.co/${model}/resolve/${COMMIT}/config.json`)).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
    });
    expect((await altered(`${base}${model}/tokenizer.json`)).ok).toBe(true);
  });

  it('makes the embedder refuse a model whose file differs from its pin, saying so (not "missing")', async () => {
    const model = 'fixtures/toy-bow-embedder-384';
    const config = await readFile(join(FIXTURE, 'config.json'));
    testPins[model] = { files: { 'config.json': sriOf(Buffer.from(`${config} `)) } };
    const altered = createTransformersEmbedder({ model, modelsBaseUrl: base });
    await expect(altered.embed(['hello'])).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      details: { model, file: `${base}${model}/config.json` },
    });
    delete testPins[model];
  });
});
