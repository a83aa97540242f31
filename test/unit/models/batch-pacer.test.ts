import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchPacer, MIN_BATCH, STRETCH_MS } from '../../../src/models/batch-pacer';

/** A fake model: `msPerText` of work a text, on a clock only the test moves. */
const clock = vi.hoisted(() => ({ now: 0, msPerText: 0.1, batches: [] as number[], turns: [] as number[] }));
vi.mock('../../../src/models/transformers-extractor', () => ({
  loadExtractor: async () => async (texts: string[]) => {
    clock.batches.push(texts.length);
    clock.now += texts.length * clock.msPerText;
    return { data: new Float32Array(texts.length * 2).fill(0.5), dims: [texts.length, 2] };
  },
}));
vi.mock('../../../src/core/yield', () => ({
  yieldToEventLoop: async () => {
    clock.turns.push(clock.now);
  },
}));

const { createTransformersEmbedder } = await import('../../../src/models/transformers-embedder');

/** The longest stretch of model work between two turns (or the call's start and end). */
function longestStretch(start: number, end: number): number {
  const marks = [start, ...clock.turns, end];
  return Math.max(...marks.slice(1).map((mark, i) => mark - marks[i]!));
}

describe('batch pacer', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    Object.assign(clock, { now: 0, msPerText: 0.1, batches: [], turns: [] });
  });

  it('keeps the configured batch size for a fast model and gives a turn about every stretch', async () => {
    vi.spyOn(performance, 'now').mockImplementation(() => clock.now);
    const embedder = createTransformersEmbedder({ model: 'local/fake', batchSize: 32 });
    const texts = Array.from({ length: 1024 }, (_, i) => `text ${i}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(1024);
    expect(new Set(clock.batches)).toEqual(new Set([32]));
    // 1,024 texts at 0.1 ms: 102.4 ms of work, a turn before any batch that would pass 25 ms.
    expect(clock.turns.length).toBe(4);
    expect(longestStretch(0, clock.now)).toBeLessThanOrEqual(STRETCH_MS);
  });

  it("makes a slow model's batches smaller, so a waiting call gets a turn within about one stretch", async () => {
    vi.spyOn(performance, 'now').mockImplementation(() => clock.now);
    clock.msPerText = 3; // a transformer on the CPU: a batch of 32 would hold the worker for 96 ms
    const embedder = createTransformersEmbedder({ model: 'local/fake', batchSize: 32 });
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(100);
    // It learns from the first batch: 8 texts (24 ms) fit the stretch; the last batch is what is left.
    expect(clock.batches).toEqual([32, 8, 8, 8, 8, 8, 8, 8, 8, 4]);
    // After the first batch, a turn comes after every batch of 8 × 3 ms.
    const stretches = clock.turns.map((turn, i) => turn - (i === 0 ? 96 : clock.turns[i - 1]!));
    expect(stretches[0]).toBe(0);
    expect(stretches.slice(1).every((stretch) => stretch <= STRETCH_MS)).toBe(true);

    // What it learned carries over to the next call, and a model that became fast grows back to 32.
    Object.assign(clock, { batches: [], turns: [], msPerText: 0.1 });
    await embedder.embed(Array.from({ length: 200 }, (_, i) => `again ${i}`));
    expect(clock.batches.slice(0, 3)).toEqual([8, 16, 32]);
  });

  it('sizes batches from how long texts took', () => {
    const pacer = new BatchPacer(32, 25);
    expect(pacer.next(100)).toBe(32);
    expect(pacer.next(7)).toBe(7);
    expect(pacer.shouldYield(0, 32)).toBe(false); // nothing ran since the last turn
    expect(pacer.shouldYield(26, 32)).toBe(true); // past the stretch, whatever the model
    pacer.took(32, 64); // 2 ms a text
    expect(pacer.size).toBe(12);
    expect(pacer.shouldYield(1, 12)).toBe(false); // 1 + 24 ms ends within the stretch
    expect(pacer.shouldYield(2, 12)).toBe(true); // 2 + 24 ms would not
    pacer.took(12, 600); // a stall: never below the minimum
    expect(pacer.size).toBe(MIN_BATCH);
    pacer.took(1, 0.5); // a one-text call (a search) does not grow the batch…
    expect(pacer.size).toBe(MIN_BATCH);
    const fresh = new BatchPacer(32, 25);
    fresh.took(1, 40); // …nor shrink it (it waited behind a batch), nor set the time a text takes
    expect(fresh.size).toBe(32);
    expect(fresh.shouldYield(20, 32)).toBe(false);
    pacer.took(MIN_BATCH, 2);
    expect(pacer.size).toBe(MIN_BATCH * 2);
    pacer.took(MIN_BATCH * 2, 4);
    expect(pacer.size).toBe(32); // never past the configured size
    const small = new BatchPacer(2, 25);
    small.took(2, 100);
    expect(small.size).toBe(2); // a configured size under the minimum is kept
  });
});
