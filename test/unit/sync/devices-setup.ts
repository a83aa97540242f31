/**
 * Devices for the sync tests that run several in one process: an in-process engine per profile with
 * an in-memory replica and no embedder, and what a test reads of one (its memories, the devices it knows).
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import type { MemoryClient } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';

export const createDevice = (profileId: string) =>
  createMemoryEngine({ profileId, embedder: false, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

/** The texts of a device's memories, sorted. */
export const texts = async (client: MemoryClient) => (await client.memories.list({ limit: 100 })).map((item) => item.text).sort();

/** The ids of the devices a device lists, sorted. */
export const deviceIds = async (client: MemoryClient) => (await client.sync.devices()).map((device) => device.id).sort();
