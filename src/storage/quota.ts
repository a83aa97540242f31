/** `navigator.storage` where it exists (windows and workers); plain answers where it does not (Node). */
import type { StorageInfo } from '../sdk/types';

const manager = (): StorageManager | undefined => (globalThis.navigator as Navigator | undefined)?.storage;

export async function estimateStorage(): Promise<StorageInfo> {
  const storage = manager();
  if (!storage?.estimate) return { persisted: false };
  const [estimate, persisted] = await Promise.all([storage.estimate(), storage.persisted?.() ?? Promise.resolve(false)]);
  const info: StorageInfo = { persisted };
  if (estimate.usage !== undefined) info.usage = estimate.usage;
  if (estimate.quota !== undefined) info.quota = estimate.quota;
  return info;
}

/** Only a window can ask; elsewhere this reports the current state. */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = manager();
  if (storage?.persist) return storage.persist();
  return (await storage?.persisted?.()) ?? false;
}
