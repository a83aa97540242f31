/**
 * Settings a profile keeps for its owner inside its own database: the privacy settings (`privacy`)
 * and the host app's preferences (`preferences`). In an encrypted profile each row is sealed under
 * the data key and bound to its key (`codec.encodeSetting`, `SEALED_SETTINGS`); the write guard
 * refuses one in clear, and every rewrite (encrypt, decrypt, rotate) seals it again.
 */
import { MemoryError } from '../sdk/errors';
import type { PreferencesApi } from '../sdk/privacy';
import type { RecordCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';

/** The largest preferences value, as JSON. */
export const MAX_PREFERENCES_BYTES = 64 * 1024;

export interface SettingsRows {
  read<T>(key: string): Promise<T | undefined>;
  write(key: string, value: unknown): Promise<void>;
}

/** The settings rows of one open profile, read and written through its codec. */
export function settingsRows(db: MnemeDatabase, codec: RecordCodec): SettingsRows {
  return {
    read: async <T>(key: string) => codec.decodeSetting<T>(await db.settings.get(key)),
    write: async (key, value) => void (await db.settings.put(await codec.encodeSetting(key, value))),
  };
}

/** `client.preferences` over the open profile's rows (`rows` gives none while it is locked: `LOCKED`). */
export function createPreferences(open: () => SettingsRows | undefined): PreferencesApi {
  const KEY = 'preferences';
  const rows = () => {
    const found = open();
    if (!found) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it with its passphrase');
    return found;
  };
  return {
    get: async () => (await rows().read<Record<string, unknown>>(KEY)) ?? {},
    set: async (values) => {
      if (typeof values !== 'object' || values === null || Array.isArray(values))
        throw new MemoryError('INVALID_ARGUMENT', 'preferences must be an object of values');
      const open = rows();
      const next: Record<string, unknown> = { ...((await open.read<Record<string, unknown>>(KEY)) ?? {}) };
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined || value === null) delete next[name];
        else next[name] = value;
      }
      let json: string;
      try {
        json = JSON.stringify(next);
      } catch (error) {
        throw new MemoryError('INVALID_ARGUMENT', 'preferences must be JSON values', { cause: error });
      }
      if (new TextEncoder().encode(json).byteLength > MAX_PREFERENCES_BYTES)
        throw new MemoryError('INVALID_ARGUMENT', `preferences are limited to ${MAX_PREFERENCES_BYTES} bytes as JSON`);
      const stored = JSON.parse(json) as Record<string, unknown>;
      await open.write(KEY, stored);
      return stored;
    },
  };
}
