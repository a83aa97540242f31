/**
 * Sync, loaded when the profile has it: the sync control, its envelopes, merge rules and record
 * targets (about 12 KB gzip, PouchDB more) stay off the memory worker's start path until this
 * profile has sync set up (its `sync` settings row) or a sync call other than `status` runs. Until
 * then it answers as a sync that is off, which is what the sync control itself answers then.
 */
import type { SyncApi, SyncStatus } from '../sdk/sync';
import type { EngineSync, EngineSyncDeps } from '../sync/engine-sync';

export type { EngineSyncDeps };

type SyncModule = Pick<typeof import('../sync/engine-sync'), 'createEngineSync' | 'destroyProfileReplica'>;

export interface LazySyncDeps extends EngineSyncDeps {
  /** Loads the sync code (tests count the loads). */
  load?: () => Promise<SyncModule>;
}

const loadSync = (): Promise<SyncModule> => import('../sync/engine-sync');

/** The settings row src/sync/engine-sync.ts keeps a profile's sync settings in. */
const SETTINGS_KEY = 'sync';

/** Every method of the sync API (the type makes a new one a compile error here until it is listed). */
const METHODS: { [K in keyof SyncApi]: true } = {
  enable: true,
  pairingCode: true,
  recoveryPhrase: true,
  join: true,
  status: true,
  devices: true,
  renameDevice: true,
  removeDevice: true,
  serverAccount: true,
  disable: true,
};

export function createLazySync({ load = loadSync, ...deps }: LazySyncDeps): EngineSync {
  let sync: EngineSync | undefined;
  let loading: Promise<EngineSync> | undefined;
  const loaded = () =>
    (loading ??= load().then(
      (module) => (sync = module.createEngineSync(deps)),
      (error: unknown) => {
        loading = undefined; // a failed download is tried again by the next call
        throw error;
      },
    ));
  const setUp = async () => (await deps.db().settings.get(SETTINGS_KEY)) !== undefined;
  /** The sync that exists or is being made; nothing when none was asked for. */
  const existing = async () => sync ?? (await loading?.catch(() => undefined));

  const api = Object.fromEntries(
    Object.keys(METHODS).map((name) => [
      name,
      async (...args: unknown[]) => ((await loaded()).api[name as keyof SyncApi] as (...a: unknown[]) => unknown)(...args),
    ]),
  ) as unknown as SyncApi;
  api.status = async () => (sync || (await setUp()) ? (await loaded()).api.status() : offStatus());

  return {
    api,
    committed: (ids) => sync?.committed(ids),
    recordsChanged: (types) => sync?.recordsChanged(types),
    kick: () => sync?.kick(),
    // A sync that starts reads every memory and record, so the changes before it loaded are not lost.
    resume: async () => {
      try {
        if (sync || (await setUp())) await (await loaded()).resume();
      } catch {
        // The profile closed meanwhile, or the sync code could not be loaded: the next open tries again.
      }
    },
    pause: async () => (await existing())?.pause(),
    close: async () => (await existing())?.close(),
  };
}

/** What a sync that was never set up reports (as src/sync/sync-control.ts does for one). */
const offStatus = (): SyncStatus => ({ enabled: false, state: 'off', pending: 0, mergesApplied: 0, errors: [] });

/** Destroys a deleted profile's sync replica (see src/sync/engine-sync.ts). */
export async function destroyProfileReplica(
  dbName: string,
  replica?: EngineSyncDeps['replica'],
  load: () => Promise<SyncModule> = loadSync,
): Promise<void> {
  await (await load()).destroyProfileReplica(dbName, replica);
}
