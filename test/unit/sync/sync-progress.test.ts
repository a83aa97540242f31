/**
 * The progress a first sync shows, both ways, against pouchdb-server: the device that turns sync
 * on for a profile it already has counts its records out as they reach the server, and a device
 * that joins counts them in as they are merged (not merely received: a record counted is stored),
 * each figure moving forward only and ending where the transfer ends.
 */
import memoryAdapter from 'pouchdb-adapter-memory';
import { describe, expect, it } from 'vitest';
import type { MemoryClientOptions, SyncProgress, SyncStatus } from '../../../src/sdk/index';
import { createMemoryEngine } from '../../../src/worker/engine';
import { useSyncServer } from '../../support/sync-server';

const server = useSyncServer();

const create = (options: MemoryClientOptions) =>
  createMemoryEngine({ ...options, modelsBaseUrl: process.env.MNEME_MODELS! }, 'in-process', {
    syncReplica: { adapter: 'memory', plugins: [memoryAdapter] },
  });

const MEMORIES = 1_200;

/** The reports of one direction, in the order they came. */
const reports = (statuses: SyncStatus[], phase: SyncProgress['phase']) =>
  statuses.flatMap((status) => status.progress?.filter((transfer) => transfer.phase === phase) ?? []);

function expectForwardOnly(seen: SyncProgress[]) {
  for (const [i, report] of seen.entries()) {
    expect(report.loaded).toBeGreaterThanOrEqual(0);
    expect(report.loaded).toBeLessThanOrEqual(report.total);
    if (i > 0) expect(report.loaded).toBeGreaterThanOrEqual(seen[i - 1]!.loaded);
  }
}

describe('sync progress', () => {
  it('shows how far the first upload and a new device’s first download are, and ends with them', async () => {
    const tag = `progress${Date.now()}`;
    const laptop = await create({ profileId: `${tag}a`, embedder: false });
    const phone = await create({ profileId: `${tag}b`, embedder: false });
    const sent: SyncStatus[] = [];
    const received: SyncStatus[] = [];
    /** Per download report seen on the phone, how many memories it held right after. */
    const stored: { loaded: number; count: Promise<number> }[] = [];
    laptop.subscribe((event) => void (event.type === 'sync' && sent.push(event.status)));
    phone.subscribe((event) => {
      if (event.type !== 'sync') return;
      received.push(event.status);
      const download = event.status.progress?.find((transfer) => transfer.phase === 'download');
      if (download) stored.push({ loaded: download.loaded, count: phone.memories.count() });
    });
    try {
      await laptop.memories.addMany(
        Array.from({ length: MEMORIES }, (_, i) => ({ text: `a memory to carry over, number ${i}` })),
      );
      await laptop.sync.enable({ url: server() });
      await expect.poll(() => laptop.sync.status().then((s) => [s.state, s.pending]), { timeout: 120_000 }).toEqual(['idle', 0]);
      const upload = reports(sent, 'upload');
      expect(upload.length).toBeGreaterThan(1);
      expect(upload[0]!.total).toBeGreaterThanOrEqual(MEMORIES);
      expect(upload.some((report) => report.loaded > 0 && report.loaded < report.total)).toBe(true);
      expectForwardOnly(upload);
      expect((await laptop.sync.status()).progress).toBeUndefined();

      await phone.sync.join(await laptop.sync.pairingCode());
      await expect.poll(() => phone.memories.count(), { timeout: 120_000 }).toBe(MEMORIES);
      await expect.poll(() => phone.sync.status().then((s) => s.progress), { timeout: 60_000 }).toBeUndefined();
      const download = reports(received, 'download');
      expect(download.length).toBeGreaterThan(0);
      expect(download.at(-1)!.total).toBeGreaterThanOrEqual(MEMORIES);
      expectForwardOnly(download);
      // A record counted in is one merged here: the memories stored then are at least those
      // counted, but for the few other records (audit entries, settings, devices).
      for (const { loaded, count } of stored) expect(await count).toBeGreaterThanOrEqual(loaded - 20);
    } finally {
      await laptop.close();
      await phone.close();
    }
  }, 300_000);
});
