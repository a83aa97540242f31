/**
 * Memories that arrive by sync get their vectors on this device (vectors do not travel), also
 * when they arrive while this device is still embedding an earlier batch (found by the sync
 * benchmark: a new device joining a large profile kept most of it without vectors).
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../../src/core/ports';
import type { MemoryClientOptions } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

/** An embedder that holds every passage batch until the test opens the gate. */
function gatedEmbedder() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const held = { batches: 0 };
  const embedder: Embedder = {
    id: 'gated-test-embedder',
    dimension: 4,
    async embed(texts, options) {
      if (options?.kind === 'passage' || options?.kind === undefined) {
        held.batches++;
        await gate;
      }
      return texts.map((text) => Float32Array.from([text.length, 1, 0, 0]));
    },
  };
  return { embedder, open, held };
}

describe('embedding what sync brings', () => {
  it('embeds memories that arrive while an earlier arrival is still being embedded', async () => {
    const tag = `arrive${Date.now()}`;
    const a = await create({ profileId: `${tag}a`, embedder: false });
    const gated = gatedEmbedder();
    const b = await create({ profileId: `${tag}b`, embedder: gated.embedder });
    try {
      const first = await a.memories.add('the first memory, embedded while the second arrives');
      await a.sync.enable({ url: server() });
      await b.sync.join(await a.sync.pairingCode());
      await expect.poll(() => b.memories.get(first.id).then((item) => item?.text)).toBe(first.text);
      // B is embedding the first arrival (held at the gate) when the second one arrives.
      await expect.poll(() => gated.held.batches).toBeGreaterThan(0);
      const second = await a.memories.add('the second memory, which arrives meanwhile');
      await expect.poll(() => b.memories.get(second.id).then((item) => item?.text)).toBe(second.text);
      gated.open();
      await expect
        .poll(() => b.memories.list().then((items) => items.map((item) => item.embeddingModel)))
        .toEqual(['gated-test-embedder', 'gated-test-embedder']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
