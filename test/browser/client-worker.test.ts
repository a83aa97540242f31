import { describe, expect, it } from 'vitest';
import { createMemoryClient } from '../../src/sdk/index';
import { BACKGROUND_TEXTS } from '../../src/core/ranking/relevance-floor';
import { describeClientContract } from '../contract/client.contract';
import { describeEncryptionContract } from '../contract/encryption.contract';
import { describeTabsContract } from '../contract/tabs.contract';
import { describeDataContract } from '../contract/data.contract';
import { describeSessionsContract } from '../contract/sessions.contract';
import { describeEpisodesContract } from '../contract/episodes.contract';
import { describeProfileContract } from '../contract/profile.contract';
import { describeFactsContract } from '../contract/facts.contract';
import { describeAssistantContract } from '../contract/assistant.contract';
import { describeEmbedderSwitchContract } from '../contract/embedder-switch.contract';
import { describeMaintenanceContract } from '../contract/maintenance.contract';
import { describePrivacyContract } from '../contract/privacy.contract';

/** A host-provided 2-d embedder (texts with "sun" on one axis, the rest on the other) recording its calls. */
const axisEmbedder = (calls: string[][]) => ({
  id: 'host/axis-2d',
  dimension: 2,
  embed: async (texts: string[]) => {
    calls.push(texts);
    return texts.map((text) => (text.includes('sun') ? new Float32Array([1, 0]) : new Float32Array([0, 1])));
  },
});
import { describeSafeguardsContract } from '../contract/safeguards.contract';

describeClientContract('worker (Chromium, IndexedDB)', 'worker', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeEncryptionContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeTabsContract('two workers (Chromium, Web Locks, BroadcastChannel)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeDataContract('worker (Chromium, IndexedDB)', (options) => createMemoryClient({ ...options, modelsBaseUrl: '/models/' }));

describeSessionsContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeEpisodesContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeProfileContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeFactsContract('worker (Chromium, IndexedDB)', (options) => createMemoryClient({ ...options, modelsBaseUrl: '/models/' }));

describe('worker boundary', () => {
  it('defaults to a worker in a browser page when given no options at all', async () => {
    const client = await createMemoryClient({ profileId: `defaults${Date.now()}`, embedder: false });
    try {
      expect(client.mode).toBe('worker');
      await client.memories.add('works with defaults');
      expect(await client.memories.count()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('transfers a host vector into the worker instead of copying it', async () => {
    const client = await createMemoryClient({
      profileId: `transfer${Date.now()}`,
      embedder: 'local/glove-sif-100d',
      modelsBaseUrl: '/models/',
    });
    try {
      const [made] = await client.embed(['a warm cup of tea']);
      const vector = made!.slice();
      await client.memories.add('tea', { vector });
      expect(vector.buffer.byteLength).toBe(0);
      expect(made!.length).toBe(100);
    } finally {
      await client.close();
    }
  });

  it('embeds with the real local model in the worker: close sentences score higher than unrelated ones', async () => {
    const client = await createMemoryClient({
      profileId: `embed${Date.now()}`,
      embedder: 'local/glove-sif-100d',
      modelsBaseUrl: '/models/',
    });
    try {
      const [dogs, puppies, market] = await client.embed(['I love dogs', 'puppies are great', 'the stock market fell']);
      const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
      expect(cosine(dogs!, puppies!)).toBeGreaterThan(cosine(dogs!, market!) + 0.2);
    } finally {
      await client.close();
    }
  });

  it('runs a host-provided embedder from the calling thread', async () => {
    const calls: string[][] = [];
    const client = await createMemoryClient({
      profileId: `hostembed${Date.now()}`,
      embedder: axisEmbedder(calls),
    });
    try {
      await client.memories.add('sunny beach holiday');
      await client.memories.add('rainy office day');
      const [first] = await client.memories.search('sun');
      expect(first?.item.text).toBe('sunny beach holiday');
      expect(first?.explanation.similarity).toBeCloseTo(1, 5);
      // The relevance floor embeds its fixed background sentences once per model, on the first search.
      await client.memories.search('beach');
      const texts = calls.flat();
      expect(texts.filter((text) => !BACKGROUND_TEXTS.includes(text))).toEqual([
        'sunny beach holiday',
        'rainy office day',
        'sun',
        'beach',
      ]);
      expect(texts.filter((text) => BACKGROUND_TEXTS.includes(text))).toEqual([...BACKGROUND_TEXTS]);
    } finally {
      await client.close();
    }
  });

  it("sends a host-provided embedder only the user's texts when the relevance floor is off", async () => {
    const calls: string[][] = [];
    const client = await createMemoryClient({
      profileId: `hostembednofloor${Date.now()}`,
      ranking: { relevanceFloor: 0 },
      embedder: axisEmbedder(calls),
    });
    try {
      await client.memories.add('sunny beach holiday');
      const [first] = await client.memories.search('sun');
      expect(first?.item.text).toBe('sunny beach holiday');
      expect(calls.flat()).toEqual(['sunny beach holiday', 'sun']);
    } finally {
      await client.close();
    }
  });

  it('reports a worker that cannot start as WORKER_FAILED', async () => {
    const failure = await createMemoryClient({ workerUrl: '/no-such-worker.js' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'MemoryError', code: 'WORKER_FAILED' });
  });
});

describeAssistantContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeEmbedderSwitchContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeMaintenanceContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describePrivacyContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);

describeSafeguardsContract('worker (Chromium, IndexedDB)', (options) =>
  createMemoryClient({ ...options, modelsBaseUrl: '/models/' }),
);
