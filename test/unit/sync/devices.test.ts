/**
 * Device records and wrapped keys: a device's first name from its user agent; device records
 * merge the same whatever order their versions come in (latest naming, earliest join, latest
 * sighting, the owner's public key); a wrapped sync key opens only for its device's private key.
 */
import { describe, expect, it } from 'vitest';
import {
  defaultDeviceName,
  deviceKind,
  generateDeviceKey,
  toHour,
  unwrapSyncKey,
  wrapSyncKey,
  type DeviceRecord,
} from '../../../src/sync/devices';
import { generateSyncKey } from '../../../src/sync/keys';
import type { RecordVersion } from '../../../src/sync/record-kinds';

describe('device names', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36 Edg/130.0',
      'Edge on macOS',
    ],
    ['', 'This device'],
  ])('%s → %s', (agent, name) => {
    expect(defaultDeviceName(agent)).toBe(name);
  });
});

const record = (over: Partial<DeviceRecord>): DeviceRecord => ({
  id: 'b',
  name: 'Chrome on Linux',
  nameAt: 0,
  joinedAt: 1_000,
  lastSeenAt: toHour(5_000_000),
  publicKey: 'key-of-b',
  ...over,
});
const version = (device: string, hlc: string, value: DeviceRecord): RecordVersion<DeviceRecord> => ({
  type: 'device',
  id: value.id,
  device,
  hlc,
  actor: 'user',
  seen: {},
  value,
});

describe('device records', () => {
  it('merge field by field, the same in any order', () => {
    const own = version('b', '0002', record({ lastSeenAt: toHour(9_000_000) }));
    const renamedElsewhere = version(
      'a',
      '0001',
      record({ name: 'Work laptop', nameAt: 50, publicKey: 'stale', lastSeenAt: 0, joinedAt: 2_000 }),
    );
    const expected = record({
      name: 'Work laptop',
      nameAt: 50,
      lastSeenAt: toHour(9_000_000),
      joinedAt: 1_000,
      publicKey: 'key-of-b',
    });
    expect(deviceKind.merge([own, renamedElsewhere])).toEqual(expected);
    expect(deviceKind.merge([renamedElsewhere, own])).toEqual(expected);
    expect(toHour(9_000_000) % 3_600_000).toBe(0);
  });
});

describe('wrapped sync keys', () => {
  it('open with the device key they were wrapped for, and with no other', async () => {
    const [mine, other] = await Promise.all([generateDeviceKey(), generateDeviceKey()]);
    const syncKey = generateSyncKey();
    const wrapped = await wrapSyncKey(syncKey, 'dev1', mine.publicKey);
    expect(await unwrapSyncKey(wrapped, 'dev1', mine.privateKey)).toEqual(syncKey);
    await expect(unwrapSyncKey(wrapped, 'dev1', other.privateKey)).rejects.toMatchObject({ code: 'SYNC_ENVELOPE_INVALID' });
    // Bound to the device id too: the same key pair under another id does not open it.
    await expect(unwrapSyncKey(wrapped, 'dev2', mine.privateKey)).rejects.toMatchObject({ code: 'SYNC_ENVELOPE_INVALID' });
  });
});
