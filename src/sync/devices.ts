/**
 * The devices of a profile's sync. Each device has its own ECDH P-256 key pair (WebCrypto; the
 * private key is kept in the profile's sync settings, sealed at rest like the sync key) and
 * publishes a sealed device record (`device` kind, merged like any synced record): its id, a
 * name, when it joined, when it was last seen (to the hour) and its public key. Removing a device
 * wraps a new sync key for each remaining device's public key (see rotation.ts).
 */
import { MemoryError } from '../sdk/errors';
import { fromBase64Url, SYNC_KEY_BYTES, toBase64Url } from './keys';
import { compareConcurrent, type Versioned } from './merge';
import type { RecordKind, RecordVersion } from './record-kinds';

/** One device as it travels (the `device` record kind; its record id is the device id). */
export interface DeviceRecord {
  id: string;
  name: string;
  /** When the name was set (the latest naming wins on every device). */
  nameAt: number;
  joinedAt: number;
  /** To the hour. */
  lastSeenAt: number;
  /** base64url of the raw ECDH P-256 public key. */
  publicKey: string;
}

/** A device's key pair as its settings keep it. */
export interface DeviceKeyPair {
  privateKey: JsonWebKey;
  publicKey: string;
}

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const HOUR = 3_600_000;

/** A time rounded down to the hour: what a device record says of when it was last seen. */
export const toHour = (time: number) => Math.floor(time / HOUR) * HOUR;

export const DEVICE_NAME_MAX = 60;

export async function generateDeviceKey(): Promise<DeviceKeyPair> {
  const pair = await crypto.subtle.generateKey(ECDH, true, ['deriveBits']);
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.exportKey('jwk', pair.privateKey),
    crypto.subtle.exportKey('raw', pair.publicKey),
  ]);
  return { privateKey, publicKey: toBase64Url(new Uint8Array(publicKey)) };
}

/** "Chrome on Linux": the browser and system a user agent names, for a device's first name. */
export function defaultDeviceName(userAgent = globalThis.navigator?.userAgent ?? ''): string {
  const browsers: [RegExp, string][] = [
    [/Edg\//, 'Edge'],
    [/OPR\//, 'Opera'],
    [/Firefox\//, 'Firefox'],
    [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'],
    [/Node\.js|^node/i, 'Node.js'],
  ];
  const systems: [RegExp, string][] = [
    [/Android/, 'Android'],
    [/iPhone|iPad|iPod/, 'iOS'],
    [/CrOS/, 'ChromeOS'],
    [/Windows/, 'Windows'],
    [/Mac OS X|Macintosh/, 'macOS'],
    [/Linux/, 'Linux'],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? (system ? `A browser on ${system}` : 'This device');
}

export function checkDeviceName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || trimmed.length > DEVICE_NAME_MAX) {
    throw new MemoryError('INVALID_ARGUMENT', `A device name has 1 to ${DEVICE_NAME_MAX} characters`);
  }
  return trimmed;
}

const later = <T extends Versioned>(a: T, b: T) => (compareConcurrent(a, b) >= 0 ? a : b);

/**
 * Device records merge field by field: the latest naming wins (then the version order), the
 * public key is the device's own, joined the earliest, last seen the latest.
 */
export const deviceKind: RecordKind<DeviceRecord> = {
  type: 'device',
  merge(versions: readonly RecordVersion<DeviceRecord>[]) {
    const live = versions.filter((version) => !version.deleted && version.value);
    if (live.length === 0) return undefined;
    const own = live
      .filter((version) => version.device === version.id)
      .reduce<RecordVersion<DeviceRecord> | undefined>((best, version) => (best ? later(best, version) : version), undefined);
    const named = live.reduce((best, version) =>
      version.value!.nameAt !== best.value!.nameAt
        ? version.value!.nameAt > best.value!.nameAt
          ? version
          : best
        : later(best, version),
    );
    const base = (own ?? named).value!;
    return {
      ...base,
      name: named.value!.name,
      nameAt: named.value!.nameAt,
      joinedAt: Math.min(...live.map((version) => version.value!.joinedAt)),
      lastSeenAt: Math.max(...live.map((version) => version.value!.lastSeenAt)),
    };
  },
  actorOf: () => 'user',
  unwatched: true,
};

/** A sync key wrapped for one device: an ephemeral ECDH public key, an IV and the sealed key (base64url). */
export interface WrappedKey {
  epk: string;
  iv: string;
  key: string;
}

const encoder = new TextEncoder();

async function wrappingKey(privateKey: CryptoKey, publicKey: CryptoKey, device: string): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const master = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(`mneme-sync-v1/rotation/${device}`) },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const importPublic = (raw: string) => {
  const bytes = fromBase64Url(raw);
  if (!bytes) throw new MemoryError('INVALID_ARGUMENT', 'A device public key is damaged');
  return crypto.subtle.importKey('raw', bytes, ECDH, false, []);
};

/** Wraps a sync key for the device `device` whose public key is `publicKey`. */
export async function wrapSyncKey(syncKey: Uint8Array, device: string, publicKey: string): Promise<WrappedKey> {
  const ephemeral = await crypto.subtle.generateKey(ECDH, true, ['deriveBits']);
  const key = await wrappingKey(ephemeral.privateKey, await importPublic(publicKey), device);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(device) },
    key,
    syncKey as BufferSource,
  );
  const epk = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  return { epk: toBase64Url(epk), iv: toBase64Url(iv), key: toBase64Url(new Uint8Array(sealed)) };
}

/** Opens a wrapped sync key with this device's private key; `SYNC_ENVELOPE_INVALID` when it does not open. */
export async function unwrapSyncKey(wrapped: WrappedKey, device: string, privateKey: JsonWebKey): Promise<Uint8Array> {
  try {
    const own = await crypto.subtle.importKey('jwk', privateKey, ECDH, false, ['deriveBits']);
    const key = await wrappingKey(own, await importPublic(wrapped.epk), device);
    const opened = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(wrapped.iv)!, additionalData: encoder.encode(device) },
      key,
      fromBase64Url(wrapped.key)!,
    );
    const syncKey = new Uint8Array(opened);
    if (syncKey.length !== SYNC_KEY_BYTES) throw new Error('not a sync key');
    return syncKey;
  } catch (error) {
    throw new MemoryError('SYNC_ENVELOPE_INVALID', 'The new sync key does not open with this device’s key', { cause: error });
  }
}
