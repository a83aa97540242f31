/**
 * The device list and removing a device, through a real pouchdb-server (loopback, free port):
 * three devices list each other; one removes another; the remaining two move to a new sync key
 * by themselves and keep syncing; the removed one ends in a clear state, keeps its memories and
 * reads nothing new; the server's old database keeps only the notice, which the removed device
 * has no key in. A removal cut short by the network finishes when the device starts again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryClient } from '../../../src/sdk/index';
import { useSyncServer } from '../../support/sync-server';
import { startCuttableProxy, type CuttableProxy } from '../../support/cuttable-proxy';
import { parsePairingCode } from '../../../src/sync/pairing';
import { deriveSyncKeys, type SyncKeys } from '../../../src/sync/keys';
import { open } from '../../../src/sync/envelope';
import { generateDeviceKey, unwrapSyncKey } from '../../../src/sync/devices';
import { isNotice, type RotationNotice } from '../../../src/sync/rotation';
import { createDevice as create, deviceIds, texts } from './devices-setup';

const server = useSyncServer();

/** What a server database holds: the bodies of its live documents and every change (deleted ones too). */
async function databaseOf(url: string, keys: SyncKeys) {
  const base = new URL(`${keys.database}/`, url);
  const all = (await (await fetch(new URL('_all_docs?include_docs=true&conflicts=true', base))).json()) as {
    rows: { doc: Record<string, unknown> }[];
  };
  const changes = (await (await fetch(new URL('_changes?include_docs=true&style=all_docs', base))).json()) as {
    results: { doc: Record<string, unknown> }[];
  };
  return { docs: all.rows.map((row) => row.doc), changes: changes.results.map((result) => result.doc) };
}

/** Three devices on one profile: A set sync up, B and C joined; each knows the three. */
async function threeDevices(url: string, tag: string) {
  const [a, b, c] = (await Promise.all(['a', 'b', 'c'].map((name) => create(`${tag}${name}`)))) as [
    MemoryClient,
    MemoryClient,
    MemoryClient,
  ];
  await a.memories.add('canary-otter-1: the user grows tomatoes');
  await a.sync.enable({ url });
  const code = await a.sync.pairingCode();
  await b.sync.join(code);
  await c.sync.join(code);
  const ids = [(await a.sync.status()).device!, (await b.sync.status()).device!, (await c.sync.status()).device!];
  for (const client of [a, b, c]) await expect.poll(() => deviceIds(client), { timeout: 30_000 }).toEqual([...ids].sort());
  await expect.poll(() => texts(c), { timeout: 30_000 }).toEqual(['canary-otter-1: the user grows tomatoes']);
  return { a, b, c, code, ids };
}

describe('sync devices: list, rename, remove', () => {
  it('lists the devices, renames one everywhere, and removing one moves the others to a new key it cannot open', async () => {
    const { a, b, c, code, ids } = await threeDevices(server(), `devices${Date.now()}`);
    const [idA, idB, idC] = ids as [string, string, string];
    try {
      const listed = await a.sync.devices();
      expect(listed[0]).toMatchObject({ id: idA, current: true });
      expect(listed.filter((device) => device.current)).toHaveLength(1);
      for (const device of listed) {
        expect(device.name.length).toBeGreaterThan(0);
        expect(device.lastSeenAt % 3_600_000).toBe(0);
        expect(device.joinedAt).toBeGreaterThan(0);
      }
      await a.sync.renameDevice(idB, 'Work laptop');
      await expect
        .poll(() => b.sync.devices().then((devices) => devices.find((device) => device.current)?.name), { timeout: 30_000 })
        .toBe('Work laptop');
      await expect(a.sync.removeDevice(idA)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(a.sync.removeDevice('nobody')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

      const oldKeys = await deriveSyncKeys(parsePairingCode(code).syncKey);
      const oldPhrase = await a.sync.recoveryPhrase();
      await a.sync.removeDevice(idC);
      expect(await deviceIds(a)).toEqual([idA, idB].sort());
      expect((await a.sync.status()).keyChangedAt).toBeGreaterThan(0);
      expect(await a.sync.recoveryPhrase()).not.toBe(oldPhrase);
      const newCode = await a.sync.pairingCode();
      const newKeys = await deriveSyncKeys(parsePairingCode(newCode).syncKey);
      expect(newKeys.database).not.toBe(oldKeys.database);

      // B moves by itself; C ends removed, with its memories.
      await expect.poll(() => b.sync.pairingCode(), { timeout: 30_000 }).toBe(newCode);
      await expect.poll(() => c.sync.status().then((status) => status.state), { timeout: 30_000 }).toBe('removed');
      const removed = await c.sync.status();
      expect(removed).toMatchObject({ enabled: false, removed: { by: idA } });
      expect(removed.errors[0]?.code).toBe('SYNC_DEVICE_REMOVED');
      await expect(c.sync.pairingCode()).rejects.toMatchObject({ code: 'SYNC_DEVICE_REMOVED' });
      expect(await c.sync.devices()).toEqual([]);
      expect(await texts(c)).toEqual(['canary-otter-1: the user grows tomatoes']);

      // A and B keep syncing under the new key, both ways; C gets none of it.
      await a.memories.add('canary-otter-2: the user moved to Porto');
      await expect.poll(() => texts(b), { timeout: 30_000 }).toContain('canary-otter-2: the user moved to Porto');
      await b.memories.add('canary-otter-3: the user learns Portuguese');
      await expect.poll(() => texts(a), { timeout: 30_000 }).toContain('canary-otter-3: the user learns Portuguese');
      await expect.poll(() => deviceIds(b), { timeout: 30_000 }).toEqual([idA, idB].sort());
      expect(await texts(c)).toEqual(['canary-otter-1: the user grows tomatoes']);

      // The old database holds the notice and deletions only; nothing in the new one opens with the old key.
      const old = await databaseOf(server(), oldKeys);
      expect(old.docs).toHaveLength(1);
      const notice = (await open(oldKeys, old.docs[0])) as RotationNotice;
      expect(isNotice(notice)).toBe(true);
      expect(Object.keys(notice.keys)).toEqual([idB]);
      for (const doc of old.changes)
        if (doc._id !== old.docs[0]!._id) expect(Object.keys(doc).sort()).toEqual(['_deleted', '_id', '_rev']);
      // The old key (all C holds) and another device's key do not open B's wrapped key.
      const stranger = await generateDeviceKey();
      await expect(unwrapSyncKey(notice.keys[idB]!, idC, stranger.privateKey)).rejects.toMatchObject({
        code: 'SYNC_ENVELOPE_INVALID',
      });
      await expect(unwrapSyncKey(notice.keys[idB]!, idB, stranger.privateKey)).rejects.toMatchObject({
        code: 'SYNC_ENVELOPE_INVALID',
      });
      const fresh = await databaseOf(server(), newKeys);
      expect(fresh.docs.length).toBeGreaterThan(0);
      for (const doc of fresh.docs) await expect(open(oldKeys, doc)).rejects.toMatchObject({ code: 'SYNC_ENVELOPE_INVALID' });
      expect(JSON.stringify([old, fresh])).not.toContain('canary');

      // C can set sync up again (here: join with the new code).
      await c.sync.join(newCode);
      await expect.poll(() => texts(c), { timeout: 30_000 }).toContain('canary-otter-3: the user learns Portuguese');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  describe('a removal cut short', () => {
    let network: CuttableProxy;
    beforeAll(async () => {
      network = await startCuttableProxy(server());
    });
    afterAll(() => network.close());

    it('finishes when the device starts again, and the others follow', async () => {
      const tag = `resume${Date.now()}`;
      const { a, b, c, code, ids } = await threeDevices(network.url, tag);
      const [idA, idB, idC] = ids as [string, string, string];
      let a2: MemoryClient | undefined;
      try {
        network.cut();
        await expect(a.sync.removeDevice(idC)).rejects.toMatchObject({ code: 'SYNC_FAILED' });
        await a.close(); // the tab closes mid-removal
        network.restore();
        a2 = await create(`${tag}a`);
        const restarted = a2;
        await expect.poll(() => restarted.sync.status().then((status) => status.state), { timeout: 30_000 }).toBe('idle');
        expect((await restarted.sync.status()).keyChangedAt).toBeGreaterThan(0);
        const newCode = await restarted.sync.pairingCode();
        expect(newCode).not.toBe(code);
        await expect.poll(() => b.sync.pairingCode(), { timeout: 30_000 }).toBe(newCode);
        await expect.poll(() => c.sync.status().then((status) => status.state), { timeout: 30_000 }).toBe('removed');
        await restarted.memories.add('canary-otter-4: after the restart');
        await expect.poll(() => texts(b), { timeout: 30_000 }).toContain('canary-otter-4: after the restart');
        expect(await deviceIds(restarted)).toEqual([idA, idB].sort());
        expect(await texts(c)).not.toContain('canary-otter-4: after the restart');
      } finally {
        await Promise.all([a2?.close(), b.close(), c.close()]);
      }
    });
  });
});
