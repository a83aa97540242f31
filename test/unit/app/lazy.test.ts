/** The loader of the app's views that are not on the first screen (src/app/lib/lazy.ts). */
import { describe, expect, it } from 'vitest';
import { lazy } from '../../../src/app/lib/lazy';

describe('lazy', () => {
  it('starts the download on the first call only, and gives every later call the same promise', async () => {
    let downloads = 0;
    const view = lazy(async () => ({ default: `view ${++downloads}` }));
    expect(downloads).toBe(0);
    const first = view();
    expect(view()).toBe(first);
    await expect(first).resolves.toEqual({ default: 'view 1' });
    expect(view()).toBe(first);
    expect(downloads).toBe(1);
  });

  it('tries again on the next call after a failed download', async () => {
    let downloads = 0;
    const view = lazy(async () => {
      downloads++;
      if (downloads === 1) throw new Error('offline');
      return { default: 'view' };
    });
    await expect(view()).rejects.toThrow('offline');
    await expect(view()).resolves.toEqual({ default: 'view' });
    expect(downloads).toBe(2);
  });
});
