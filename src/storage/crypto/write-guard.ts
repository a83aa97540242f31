/**
 * The write guard: every write to a profile's records checks, inside its own IndexedDB
 * transaction, that it has the form the profile's stored state asks for. A client that has not
 * yet heard that another tab turned encryption on (or that the profile was locked and re-keyed)
 * cannot land a plaintext row in an encrypted profile: its transaction fails with `LOCKED`.
 *
 * The stored state is the key envelope and a second, durable marker (`crypto.sealed`): deleting
 * the envelope does not turn new writes back into plaintext, the marker still says "sealed".
 */
import type { DBCore, DBCoreMutateRequest, DBCoreTable, DBCoreTransaction, Middleware } from 'dexie';
import { MemoryError } from '../../sdk/errors';
import { CLEAR_FIELDS, isRedactedAudit, isSealedSetting, SEALED_SETTINGS, type StoredRow } from '../codec';
import { hasSealMagic, type SealFormat } from './seal-format';

export const ENVELOPE_KEY = 'crypto.envelope';
export const MARKER_KEY = 'crypto.sealed';
const SNAPSHOT_KEY = 'lexical.snapshot';

/** The marker row: the format the profile's records are sealed in. */
export function sealedMarker(envelope: { format?: SealFormat }) {
  return { key: MARKER_KEY, value: { format: envelope.format ?? 1 } };
}

/** 0: plain; 1 to 3: sealed in that format (the larger of what the envelope and the marker say). */
export function sealStateOf(envelope: unknown, marker: unknown): 0 | SealFormat {
  const formatOf = (value: unknown): number => {
    if (value === undefined || value === null) return 0;
    const format = (value as { format?: unknown }).format;
    return format === 3 || format === 2 ? format : 1;
  };
  return Math.max(formatOf(envelope), formatOf(marker)) as 0 | SealFormat;
}

const SEALED_TABLES: readonly string[] = Object.keys(CLEAR_FIELDS);

/** Whether a sealed value was sealed in `format` (format 1 has no magic: any bytes pass). */
const fitsFormat = (sealed: unknown, format: SealFormat) => format === 1 || hasSealMagic(sealed, format);

/** Whether `row` of `table` has the form a profile in `state` stores. */
export function rowFitsState(table: string, row: unknown, state: 0 | SealFormat): boolean {
  if (typeof row !== 'object' || row === null) return false;
  const stored = row as StoredRow & { data?: unknown; key?: unknown; value?: { data?: unknown } };
  if (SEALED_TABLES.includes(table)) {
    if (state === 0) return stored.sealed === undefined;
    if (isRedactedAudit(table, stored)) return true;
    return stored.sealed instanceof ArrayBuffer && fitsFormat(stored.sealed, state);
  }
  // Format 1 vector data and snapshots cannot be told from plain bytes: later ones carry a magic.
  if (table === 'vectorChunks') return state === 0 || fitsFormat(stored.data, state);
  if (table === 'settings' && SEALED_SETTINGS.includes(stored.key as string)) {
    const sealed = isSealedSetting(stored);
    return state === 0 ? !sealed : sealed && fitsFormat((stored.value as { sealed: unknown }).sealed, state);
  }
  if (table === 'settings' && stored.key === SNAPSHOT_KEY) return state === 0 || fitsFormat(stored.value?.data, state);
  return true;
}

const refused = (state: 0 | SealFormat) =>
  new MemoryError(
    'LOCKED',
    state === 0
      ? 'Encryption of this profile was turned off in another tab: reopen it before writing'
      : 'This profile is encrypted (it may have been turned on in another tab): unlock it before writing',
  );

/**
 * Reads the stored state in the write's own transaction. Plain `.then` chains, never `async`:
 * Dexie follows its transaction zone through the promises its core returns, not through `await`.
 */
function readState(settings: DBCoreTable, trans: DBCoreTransaction): Promise<0 | SealFormat> {
  return settings
    .getMany({ trans, keys: [ENVELOPE_KEY, MARKER_KEY] })
    .then(([envelope, marker]: ({ value: unknown } | undefined)[]) => sealStateOf(envelope?.value, marker?.value));
}

/**
 * The state each transaction read, read once per transaction rather than once per write (a bulk
 * add writes four tables): every rw transaction holds `settings`, so no other writer can change
 * it meanwhile, and a write of this transaction to the envelope or the marker drops it.
 */
const states = new WeakMap<DBCoreTransaction, Promise<0 | SealFormat>>();

function stateOf(settings: DBCoreTable, trans: DBCoreTransaction): Promise<0 | SealFormat> {
  let state = states.get(trans);
  if (!state) {
    state = readState(settings, trans);
    states.set(trans, state);
  }
  return state;
}

/** Whether a write to `settings` may change the stored state. */
function touchesState(req: DBCoreMutateRequest): boolean {
  const isStateKey = (key: unknown) => key === ENVELOPE_KEY || key === MARKER_KEY;
  if (req.type === 'put' || req.type === 'add') return req.values.some((row) => isStateKey((row as { key?: unknown })?.key));
  if (req.type === 'delete') return req.keys.some(isStateKey);
  return true;
}

function guardTable(table: DBCoreTable, settings: DBCoreTable): DBCoreTable {
  const guarded = table.name === 'settings' || table.name === 'vectorChunks' || SEALED_TABLES.includes(table.name);
  if (!guarded) return table;
  const checked = (req: DBCoreMutateRequest) => {
    const idb = req.trans as unknown as IDBTransaction;
    if ((req.type !== 'put' && req.type !== 'add') || idb.mode === 'versionchange') return table.mutate(req);
    // The rows go out at once, behind the state's read in the same transaction, rather than a round
    // trip later; rows that do not fit the state abort the whole transaction before it can commit.
    const fits = stateOf(settings, req.trans).then((state) => {
      if (req.values.every((row) => rowFitsState(table.name, row, state))) return;
      try {
        idb.abort();
      } catch {
        // already finished: it failed for another reason, and nothing of it landed
      }
      throw refused(state);
    });
    return Promise.all([fits, table.mutate(req)]).then(([, result]) => result);
  };
  return {
    ...table,
    mutate(req: DBCoreMutateRequest) {
      if (table.name !== 'settings' || !touchesState(req)) return checked(req);
      // The state this write changed is read again by the next write (its own check read it before).
      return checked(req).then((result) => {
        states.delete(req.trans);
        return result;
      });
    },
  };
}

/** Dexie middleware: installs the guard on every table and puts `settings` in every rw transaction. */
export const writeGuard: Middleware<DBCore> = {
  stack: 'dbcore',
  name: 'mneme-write-guard',
  create: (down) => ({
    ...down,
    transaction(stores, mode, options) {
      const scope = mode === 'readwrite' && !stores.includes('settings') ? [...stores, 'settings'] : stores;
      return down.transaction(scope, mode, options);
    },
    table: (name) => guardTable(down.table(name), down.table('settings')),
  }),
};
