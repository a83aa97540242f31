/** The bench's bundle suite builds what a user gets, after its own dev server set NODE_ENV=development. */
import { afterEach, describe, expect, it } from 'vitest';
import { inProduction } from '../../../bench/in-production.mjs';

const original = process.env.NODE_ENV;
afterEach(() => {
  if (original === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = original;
});

describe('inProduction', () => {
  it('runs the build with NODE_ENV=production after a dev server set development, and puts development back', async () => {
    process.env.NODE_ENV = 'development';
    expect(await inProduction(async () => process.env.NODE_ENV)).toBe('production');
    expect(process.env.NODE_ENV).toBe('development');
  });

  it('puts the old value back when the build fails, an unset one included', async () => {
    delete process.env.NODE_ENV;
    await expect(
      inProduction(async () => {
        throw new Error('build failed');
      }),
    ).rejects.toThrow('build failed');
    expect(process.env.NODE_ENV).toBeUndefined();
  });
});
