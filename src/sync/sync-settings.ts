/**
 * What a profile keeps to sync, and the steps of devices and removals from one settings value to
 * the next (sync-control.ts stores them and starts, moves or stops sync): this device's key pair
 * and record, the list of devices, a removal started here, a notice from another device followed.
 */
import { MemoryError } from '../sdk/errors';
import type { SyncApi, SyncDevice } from '../sdk/sync';
import type { Clock } from '../core/ports';
import { checkDeviceName, defaultDeviceName, deviceKind, generateDeviceKey, toHour, unwrapSyncKey } from './devices';
import type { DeviceKeyPair, DeviceRecord } from './devices';
import { deriveSyncKeys, fromBase64Url, generateSyncKey, toBase64Url } from './keys';
import type { RemoteOptions } from './pouch-replica';
import { pairingCode } from './pairing';
import { accountOf } from './server-setup';
import type { RecordTarget } from './record-sync';
import { makeNotice, retireDatabase, type Recipient, type RotationNotice } from './rotation';

/** What a profile keeps to sync (in its settings table). */
export interface SyncSettings {
  /** base64url of the sync key. */
  syncKey: string;
  url: string;
  auth: boolean;
  device: string;
  /** Every local memory was sent once (after enable or join). */
  uploaded?: boolean;
  /** This device joined (rather than set sync up): the synced settings replace its own. */
  joined?: boolean;
  /** This device's ECDH key pair (a new sync key is wrapped for it when another device is removed). */
  deviceKey?: DeviceKeyPair;
  /** The devices this one knows of (their records as last merged), this one among them. */
  devices?: Record<string, DeviceRecord>;
  /** A removal this device started and has not finished: resumed at the next start. */
  rotation?: { previousKey: string; removed: string; at: number; recipients: Recipient[] };
  /** The local replica belongs to an earlier sync key: it is deleted before sync starts. */
  staleReplica?: boolean;
  /** When the sync key last changed. */
  keyChangedAt?: number;
  /** Another device removed this one (then `syncKey` is empty). */
  removed?: { at: number; by: string };
}

/** Where the profile's database for this key (by default the current one) is, and how to log in there. */
export async function remoteOf(settings: SyncSettings, syncKey = settings.syncKey): Promise<RemoteOptions> {
  return { url: settings.url, auth: settings.auth, keys: await deriveSyncKeys(fromBase64Url(syncKey)!) };
}

/** The removal this device started: the notice left in the old database, which is emptied (safe to repeat). */
export async function retire(settings: SyncSettings): Promise<void> {
  const { previousKey, removed, at, recipients } = settings.rotation!;
  const notice = await makeNotice(fromBase64Url(settings.syncKey)!, recipients, removed, settings.device, at);
  await retireDatabase(await remoteOf(settings, previousKey), notice);
}

/** This device's key pair and record (made once), seen at `now` (to the hour). */
export async function withDevice(settings: SyncSettings, now: number): Promise<SyncSettings> {
  const deviceKey = settings.deviceKey ?? (await generateDeviceKey());
  const own = settings.devices?.[settings.device];
  const record: DeviceRecord = {
    id: settings.device,
    name: own?.name ?? defaultDeviceName(),
    nameAt: own?.nameAt ?? 0,
    joinedAt: own?.joinedAt ?? now,
    lastSeenAt: Math.max(own?.lastSeenAt ?? 0, toHour(now)),
    publicKey: deviceKey.publicKey,
  };
  return { ...settings, deviceKey, devices: { ...settings.devices, [settings.device]: record } };
}

/** The settings once this device was seen at `now`, or undefined when its record says so already. */
export function seenAt(settings: SyncSettings, now: number): SyncSettings | undefined {
  const own = settings.devices?.[settings.device];
  const hour = toHour(now);
  if (!own || own.lastSeenAt >= hour) return undefined;
  return { ...settings, devices: { ...settings.devices, [own.id]: { ...own, lastSeenAt: hour } } };
}

/** The devices, this one first, then by when they joined. */
export function deviceList(settings: SyncSettings | undefined): SyncDevice[] {
  if (!settings || settings.removed) return [];
  return Object.values(settings.devices ?? {})
    .map(({ id, name, joinedAt, lastSeenAt }) => ({ id, name, joinedAt, lastSeenAt, current: id === settings.device }))
    .sort((a, b) => Number(b.current) - Number(a.current) || a.joinedAt - b.joinedAt || (a.id < b.id ? -1 : 1));
}

export function knownDevice(settings: SyncSettings, id: unknown): DeviceRecord {
  const record = typeof id === 'string' ? settings.devices?.[id] : undefined;
  if (!record) throw new MemoryError('INVALID_ARGUMENT', `No device ${String(id)} syncs this profile`);
  return record;
}

/**
 * A removal of device `id` started here at `at`: a new sync key, and what is left to do (the
 * notice for the remaining devices, the old database to empty), kept until it is done.
 */
export function rotated(settings: SyncSettings, id: string, at: number): SyncSettings {
  if (id === settings.device) throw new MemoryError('INVALID_ARGUMENT', 'This is the device you use: turn sync off here instead');
  knownDevice(settings, id);
  const { [id]: _removed, ...devices } = settings.devices ?? {};
  const recipients = Object.values(devices)
    .filter((device) => device.id !== settings.device)
    .map(({ id: device, publicKey }) => ({ id: device, publicKey }));
  return {
    ...settings,
    syncKey: toBase64Url(generateSyncKey()),
    uploaded: false,
    joined: false,
    keyChangedAt: at,
    devices,
    rotation: { previousKey: settings.syncKey, removed: id, at, recipients },
  };
}

/**
 * After another device's notice: the new key opened with this device's key (it moves, its replica
 * of the old key goes), or, with no key for this device in the notice, a removed device's settings
 * (no sync key, no device key). A key that does not open: `SYNC_ENVELOPE_INVALID`.
 */
export async function followed(settings: SyncSettings, notice: RotationNotice): Promise<SyncSettings> {
  const wrapped = notice.keys[settings.device];
  if (!wrapped) {
    const { deviceKey: _key, devices: _devices, rotation: _rotation, staleReplica: _stale, ...kept } = settings;
    return { ...kept, syncKey: '', removed: { at: notice.at, by: notice.by } };
  }
  const syncKey = await unwrapSyncKey(wrapped, settings.device, settings.deviceKey!.privateKey);
  const { [notice.removed]: _removed, ...devices } = settings.devices ?? {};
  return {
    ...settings,
    syncKey: toBase64Url(syncKey),
    uploaded: false,
    joined: true,
    staleReplica: true,
    keyChangedAt: notice.at,
    devices,
  };
}

/**
 * The record target with device records added: they live in the sync settings (`settings()` now,
 * `save` to store a merge), every other type in the profile (`base`, undefined while locked).
 */
export function withDeviceRecords(
  base: RecordTarget | undefined,
  settings: () => SyncSettings,
  save: (settings: SyncSettings) => Promise<void>,
): RecordTarget {
  return {
    read: async (type) =>
      type === deviceKind.type ? new Map(Object.entries(settings().devices ?? {})) : (base?.read(type) ?? new Map()),
    apply: async (type, puts, deletes) => {
      if (type !== deviceKind.type) return base?.apply(type, puts, deletes);
      const current = settings();
      const devices = { ...current.devices };
      for (const [id, value] of puts) devices[id] = value as DeviceRecord;
      for (const id of deletes) if (id !== current.device) delete devices[id];
      await save({ ...current, devices });
    },
  };
}

export interface DeviceApiDeps {
  /** The settings now (undefined: sync is off). */
  settings(): SyncSettings | undefined;
  /** The running sync (its settings, its record sync), or a typed error when sync does not run. */
  running(): { settings: SyncSettings; records: { changed(types?: readonly string[]): void } };
  persist(settings: SyncSettings): Promise<void>;
  clock: Clock;
  /** Stops sync and starts it again with these settings (a removal to carry out). */
  restart(settings: SyncSettings): Promise<void>;
}

/** `client.sync.devices()`, `renameDevice()` and `removeDevice()`. */
export function createDeviceApi(deps: DeviceApiDeps): Pick<SyncApi, 'devices' | 'renameDevice' | 'removeDevice'> {
  const devices = async () => deviceList(deps.settings());
  return {
    devices,
    renameDevice: async (id, name) => {
      const run = deps.running();
      const named = { ...knownDevice(run.settings, id), name: checkDeviceName(name), nameAt: deps.clock.now() };
      await deps.persist({ ...run.settings, devices: { ...run.settings.devices, [id]: named } });
      run.records.changed([deviceKind.type]);
      return devices();
    },
    // The new key and what is left to do are stored first: a start finishes what a closed tab left.
    removeDevice: async (id) => {
      const next = rotated(deps.running().settings, id, deps.clock.now());
      await deps.persist(next);
      await deps.restart(next);
      return devices();
    },
  };
}

export function locked<T>(target: T | undefined): T {
  if (!target) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it to sync');
  return target;
}

export const removedError = () =>
  new MemoryError('SYNC_DEVICE_REMOVED', 'Another device removed this one from sync: join again with a new pairing code');

/** `client.sync.pairingCode()`, `recoveryPhrase()` and `serverAccount()`: what the current sync key gives. */
export function createKeyApi(
  read: () => Promise<SyncSettings | undefined>,
): Pick<SyncApi, 'pairingCode' | 'recoveryPhrase' | 'serverAccount'> {
  const current = async () => {
    const settings = await read();
    if (!settings) throw new MemoryError('INVALID_ARGUMENT', 'Sync is not set up for this profile');
    if (settings.removed) throw removedError();
    return { syncKey: fromBase64Url(settings.syncKey)!, url: settings.url, auth: settings.auth };
  };
  return {
    pairingCode: async () => pairingCode(await current()),
    recoveryPhrase: async () => {
      const { recoveryPhrase } = await import('./recovery-phrase');
      return recoveryPhrase((await current()).syncKey);
    },
    serverAccount: async () => {
      const { syncKey, url } = await current();
      return accountOf(url, await deriveSyncKeys(syncKey));
    },
  };
}
