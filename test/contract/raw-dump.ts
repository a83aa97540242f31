interface Buckets {
  keys(): Promise<string[]>;
  open(name: string): Promise<{ indexedDB: IDBFactory }>;
}

/**
 * The IndexedDB holding database `name`: a storage bucket's (where Mneme keeps each profile in
 * Chromium) or the origin's default one.
 */
export async function factoryOf(name: string): Promise<IDBFactory> {
  const buckets = (globalThis.navigator as { storageBuckets?: Buckets } | undefined)?.storageBuckets;
  for (const key of (await buckets?.keys()) ?? []) {
    const bucket = await buckets!.open(key);
    if ((await bucket.indexedDB.databases()).some((db) => db.name === name)) return bucket.indexedDB;
  }
  return indexedDB;
}

/** Reads every record of an IndexedDB database without Mneme's code, as an attacker with the disk would. */
export async function dumpDatabase(name: string): Promise<string> {
  const factory = await factoryOf(name);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const parts: string[] = [];
  for (const storeName of Array.from(db.objectStoreNames)) {
    const values = await new Promise<unknown[]>((resolve, reject) => {
      const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    parts.push(storeName, ...values.map(render));
  }
  db.close();
  return parts.join('\n');
}

function render(value: unknown): string {
  if (value instanceof ArrayBuffer) return new TextDecoder('latin1').decode(value);
  if (ArrayBuffer.isView(value)) return new TextDecoder('latin1').decode(value);
  if (Array.isArray(value)) return value.map(render).join(' ');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([k, v]) => `${k}=${render(v)}`)
      .join(' ');
  }
  return String(value);
}

/** Runs `change` on one object store of the profile's database, without Mneme's code. */
export async function rawChange(name: string, store: string, change: (objects: IDBObjectStore) => void): Promise<void> {
  const factory = await factoryOf(name);
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise<void>((resolve, reject) => {
    const transaction = db.transaction(store, 'readwrite');
    change(transaction.objectStore(store));
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
  });
  db.close();
}
