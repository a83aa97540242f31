/**
 * Sync loads only for a profile that has it (src/worker/lazy-sync.ts): a profile without it opens,
 * answers `sync.status` and writes without the sync code, and one with it starts syncing again on
 * the next open, through the real sync control and a real server.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import type { EngineSync } from '../../../src/sync/engine-sync';
import { createMemoryEngine } from '../../../src/worker/engine';
import { createLazySync, type EngineSyncDeps } from '../../../src/worker/lazy-sync';
import { systemClock } from '../../../src/core/clock';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

/** The lazy sync over a settings table holding `rows`, with a sync module that counts its loads and calls. */
function lazyOver(rows: Record<string, unknown>) {
  const calls: string[] = [];
  let loads = 0;
  const fake: EngineSync = {
    api: {
      status: async () => ({ enabled: true, state: 'idle', pending: 0, mergesApplied: 0, errors: [] }),
      enable: async () => {
        calls.push('enable');
        return { enabled: true, state: 'idle', pending: 0, mergesApplied: 0, errors: [] };
      },
    } as Partial<EngineSync['api']> as EngineSync['api'],
    committed: (ids) => void calls.push(`committed ${ids.join()}`),
    recordsChanged: () => void calls.push('recordsChanged'),
    kick: () => void calls.push('kick'),
    resume: async () => void calls.push('resume'),
    pause: async () => void calls.push('pause'),
    close: async () => void calls.push('close'),
  };
  const db = { settings: { get: async (key: string) => rows[key] } } as unknown as ReturnType<EngineSyncDeps['db']>;
  const sync = createLazySync({
    db: () => db,
    codec: () => undefined,
    dbName: 'lazy-sync-test',
    memories: () => undefined,
    records: () => undefined,
    merged: () => undefined,
    emit: () => undefined,
    clock: systemClock,
    load: async () => {
      loads++;
      return { createEngineSync: () => fake, destroyProfileReplica: async () => undefined };
    },
  });
  return { sync, calls, loads: () => loads };
}

describe('sync loaded on demand', () => {
  it('stays unloaded for a profile without sync: open, status, writes, lock and close', async () => {
    const { sync, calls, loads } = lazyOver({});
    await sync.resume();
    sync.committed(['m1']);
    sync.recordsChanged(['settings']);
    sync.kick();
    expect(await sync.api.status()).toEqual({ enabled: false, state: 'off', pending: 0, mergesApplied: 0, errors: [] });
    await sync.pause();
    await sync.close();
    expect(loads()).toBe(0);
    expect(calls).toEqual([]);
  });

  it('loads once for a profile with sync set up, resumes it, and forwards what follows', async () => {
    const { sync, calls, loads } = lazyOver({ sync: { key: 'sync', value: 'sealed' } });
    await Promise.all([sync.resume(), sync.api.status()]);
    sync.committed(['m1']);
    await sync.pause();
    expect(loads()).toBe(1);
    expect(calls).toEqual(['resume', 'committed m1', 'pause']);
    expect((await sync.api.status()).state).toBe('idle');
  });

  it('loads when a sync call other than status runs', async () => {
    const { sync, calls, loads } = lazyOver({});
    expect((await sync.api.enable({ url: 'http://127.0.0.1:1' })).enabled).toBe(true);
    sync.committed(['m2']);
    expect(loads()).toBe(1);
    expect(calls).toEqual(['enable', 'committed m2']);
  });
});

describe('sync through the engine', () => {
  const create = (options: MemoryClientOptions) =>
    createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS!, embedder: false }, 'in-process', {
      syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
    });

  it('reports a profile without sync as off, and starts a profile with sync again when it opens', async () => {
    const profileId = `lazysync${Date.now()}`;
    const first = await create({ profileId });
    expect(await first.sync.status()).toEqual({ enabled: false, state: 'off', pending: 0, mergesApplied: 0, errors: [] });
    await first.memories.add('written before sync was set up');
    await first.sync.enable({ url: server() });
    await expect.poll(() => first.sync.status().then((s) => [s.state, s.pending])).toEqual(['idle', 0]);
    await first.close();

    const again = await create({ profileId });
    try {
      await again.memories.add('written after the profile opened again');
      await expect.poll(() => again.sync.status().then((s) => [s.enabled, s.state, s.pending])).toEqual([true, 'idle', 0]);
      expect((await again.sync.devices()).length).toBe(1);
    } finally {
      await again.close();
    }
  });
});
