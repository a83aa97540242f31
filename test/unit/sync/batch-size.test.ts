/**
 * The batch size policy alone: what a body limit (413) and a network that loses large requests do
 * to the number of documents per replication request, and how it grows back. The replica under
 * those networks is in replica-batches.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_MAX, BATCH_MIN, createBatchSize, type BatchSize } from '../../../src/sync/batch-size';

/** Full batches go through until the size stops changing; the sizes taken on the way. */
function passFull(batch: BatchSize, times: number): number[] {
  const sizes: number[] = [];
  for (let i = 0; i < times; i++) if (batch.passed(batch.size)) sizes.push(batch.size);
  return sizes;
}

describe('batch size', () => {
  it('starts at 2,000 documents and halves on each refusal as too large, down to one record, where it reports the floor', () => {
    const batch = createBatchSize();
    expect(batch.size).toBe(BATCH_MAX);
    const sizes: number[] = [];
    for (let i = 0; i < 20 && batch.refused() === 'smaller'; i++) sizes.push(batch.size);
    expect(sizes).toEqual([1000, 500, 250, 125, 62, 31, 15, 7, 3, 1]);
    // A single record refused is larger than the server takes: nothing smaller to try, however often.
    expect(batch.refused()).toBe('floor');
    expect(batch.refused()).toBe('floor');
    expect(batch.size).toBe(1);
  });

  it('never grows back to a size the server refused: it settles at the largest size that went through', () => {
    const batch = createBatchSize();
    batch.refused(); // 2,000 refused
    batch.refused(); // 1,000 refused
    expect(batch.size).toBe(500);
    expect(passFull(batch, 50)).toEqual([]);
    expect(batch.size).toBe(500);
  });

  it('a refusal of a smaller size lowers the ceiling: it stays at half the smallest size refused', () => {
    const batch = createBatchSize();
    batch.refused(); // 2,000 → 1,000
    batch.refused(); // 1,000 → 500
    batch.refused(); // 500 → 250 (documents got larger for a while)
    // 500 and 1,000 were refused: it may grow back to 500 only.
    expect(passFull(batch, 20)).toEqual([]);
    expect(batch.size).toBe(250);
  });

  it('halves when requests carrying a batch are lost twice in a row, not on a single loss', () => {
    const batch = createBatchSize();
    expect(batch.lost()).toBe(false);
    expect(batch.size).toBe(2000);
    batch.passed(2000); // a batch went through between: the losses are not in a row
    expect(batch.lost()).toBe(false);
    expect(batch.size).toBe(2000);
    expect(batch.lost()).toBe(true);
    expect(batch.size).toBe(1000);
    expect(batch.lost()).toBe(false);
    expect(batch.lost()).toBe(true);
    expect(batch.size).toBe(500);
  });

  it('stops halving for losses at the floor', () => {
    const batch = createBatchSize();
    for (let i = 0; i < 40; i++) batch.lost();
    expect(batch.size).toBe(BATCH_MIN);
    const narrow = createBatchSize({ max: 100, min: 40 });
    for (let i = 0; i < 10; i++) narrow.lost();
    expect(narrow.size).toBe(40);
  });

  it('grows back to 2,000 once batches go through again, to the size that was lost only after a longer run', () => {
    const batch = createBatchSize();
    batch.lost();
    batch.lost(); // 2,000 lost twice → 1,000
    batch.lost();
    batch.lost(); // 1,000 lost twice → 500
    expect(batch.size).toBe(500);
    // Two full batches of 500 go through: 1,000 was lost, so not yet.
    expect(passFull(batch, 2)).toEqual([]);
    const grown = passFull(batch, 20);
    expect(grown).toEqual([1000, 2000]);
    expect(batch.size).toBe(BATCH_MAX);
  });

  it('is not grown by batches well under its size (the last of an upload, a live change)', () => {
    const batch = createBatchSize({ max: 400 });
    batch.lost();
    batch.lost(); // 400 lost twice → 200
    for (let i = 0; i < 20; i++) expect(batch.passed(99)).toBe(false);
    expect(batch.size).toBe(200);
    // Full batches count, whatever small ones come between them.
    expect(passFull(batch, 8)).toEqual([400]);
  });
});
