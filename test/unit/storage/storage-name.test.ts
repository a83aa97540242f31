/** The storage name prefixes every database a client opens: a bad one is refused before anything is opened. */
import { describe, expect, it } from 'vitest';
import { createMemoryClient, MemoryError } from '../../../src/sdk/index';

const open = (storageName: unknown) =>
  createMemoryClient({ storageName: storageName as string, inWorker: false, embedder: false });

describe('storageName', () => {
  it.each([
    ['empty', ''],
    ['a space', 'my app'],
    ['a path', '../mneme'],
    ['a trailing "-"', 'mneme-'],
    ['a double "-" (the registry is `<name>--profiles`)', 'app--x'],
    ['a leading "."', '.mneme'],
    ['too long', 'a'.repeat(65)],
    ['not a string', 42],
  ])('refuses %s with INVALID_ARGUMENT', async (_label, storageName) => {
    const opening = open(storageName);
    await expect(opening).rejects.toBeInstanceOf(MemoryError);
    await expect(opening).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/storage name/) });
  });

  it.each(['mneme', 'my-app', 'app_2.v1', 'a'.repeat(64)])('opens with %s and keeps its memories there', async (storageName) => {
    const client = await open(storageName);
    try {
      await client.memories.add(`kept under ${storageName}`);
      expect((await client.memories.list()).map((memory) => memory.text)).toEqual([`kept under ${storageName}`]);
    } finally {
      await client.close();
    }
  });
});
