/**
 * The engine's sync: set up (enable / join), run, report (status, `sync` events) and stop. It owns
 * the profile's sync settings and one replica; memories go through {@link MemorySync}. Sync runs
 * while the profile is open (unlocked) and catches up after being offline or closed.
 */
import { MemoryError } from '../sdk/errors';
import type { SyncApi, SyncEnableOptions, SyncErrorInfo, SyncStatus } from '../sdk/sync';
import type { Clock } from '../core/ports';
import { HybridClock } from './hlc';
import { deriveSyncKeys, fromBase64Url, generateSyncKey, toBase64Url, toHex } from './keys';
import { MemorySync, type MemoryTarget } from './memory-sync';
import { checkServerUrl, isPairingCode, pairingCode, parsePairingCode, type Pairing } from './pairing';
import { RECORD_KINDS } from './record-kinds';
import { RecordSync, type RecordTarget } from './record-sync';
import type { WatchChanges } from './record-changes';
import type { SyncReplica } from './port';
import { checkRemote, createPouchReplica, destroyReplica, type PouchReplicaOptions, type RemoteOptions } from './pouch-replica';

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
}

export interface SyncControlDeps {
  settings: { read(): Promise<SyncSettings | undefined>; write(settings: SyncSettings | undefined): Promise<void> };
  /** Name of the local replica (one per profile). */
  replicaName: string;
  /** The profile's memories, or undefined while it is locked. */
  target(): (MemoryTarget & { ids(): string[] }) | undefined;
  /** The profile's other synced records (conversations, profile, episodes, audit, settings), or undefined while locked. */
  records?(): RecordTarget | undefined;
  /** Tells the keys local writes touched in the synced tables, so a check reads only those (record-changes.ts). */
  watchRecords?: WatchChanges;
  /** Merges changed stored memories (announce them, re-embed). */
  merged(ids: string[]): void;
  emit(status: SyncStatus): void;
  clock: Clock;
  /** How the local replica is made (adapter, plugins: Node tests use PouchDB's memory adapter). */
  replica?: Pick<PouchReplicaOptions, 'adapter' | 'plugins'>;
  openReplica?: (options: PouchReplicaOptions) => Promise<SyncReplica>;
  /** Checks that the server holds a profile these keys open, before a phrase joins it. */
  checkRemote?: (options: RemoteOptions) => Promise<void>;
}

export interface SyncControl {
  api: SyncApi;
  /** Local memory changes committed to storage. */
  committed(ids: readonly string[]): void;
  /** Other records may have changed locally (these types; all but announced ones when omitted). */
  recordsChanged(types?: readonly string[]): void;
  /** Starts sync when this profile has it set up (after the profile opened or was unlocked). */
  resume(): Promise<void>;
  /** Retries at once (back online, focus). */
  kick(): void;
  /** Stops replication (lock, close); sync resumes at the next {@link SyncControl.resume}. */
  pause(): Promise<void>;
}

const MAX_ERRORS = 20;

interface Running {
  settings: SyncSettings;
  replica: SyncReplica;
  memories: MemorySync;
  records: RecordSync;
  /** Documents written here and not yet pushed. */
  unsent: Set<string>;
}

export function createSyncControl(deps: SyncControlDeps): SyncControl {
  let running: Running | undefined;
  let starting: Promise<void> | undefined;
  let state: SyncStatus['state'] = 'off';
  let lastSyncedAt: number | undefined;
  let mergesApplied = 0;
  const errors: SyncErrorInfo[] = [];

  const status = (): SyncStatus => {
    const settings = running?.settings;
    return {
      enabled: settings !== undefined,
      state: settings ? state : 'off',
      ...(settings ? { url: settings.url, device: settings.device } : {}),
      ...(lastSyncedAt !== undefined ? { lastSyncedAt } : {}),
      pending: running ? running.memories.pending + running.records.pending + running.unsent.size : 0,
      mergesApplied,
      errors: errors.map((error) => ({ ...error })),
    };
  };
  const changed = () => deps.emit(status());
  const fail = (error: MemoryError) => {
    errors.unshift({ at: deps.clock.now(), code: error.code, message: error.message });
    errors.length = Math.min(errors.length, MAX_ERRORS);
    changed();
  };

  const start = async (settings: SyncSettings) => {
    const syncKey = fromBase64Url(settings.syncKey);
    if (!syncKey) throw new MemoryError('INTERNAL', 'The stored sync key is damaged');
    const keys = await deriveSyncKeys(syncKey);
    const open = deps.openReplica ?? createPouchReplica;
    const replica = await open({
      name: deps.replicaName,
      url: settings.url,
      keys,
      auth: settings.auth,
      ...deps.replica,
    });
    const clock = new HybridClock(() => deps.clock.now(), await replica.readLocal<string>('clock'));
    const unsent = new Set<string>();
    const trackingReplica: SyncReplica = {
      ...replica,
      put: async (name, body) => {
        const id = await replica.put(name, body);
        unsent.add(id);
        return id;
      },
    };
    const records = new RecordSync({
      replica: trackingReplica,
      device: settings.device,
      clock,
      kinds: RECORD_KINDS,
      target: () => deps.records?.(),
      ...(deps.watchRecords ? { watch: deps.watchRecords } : {}),
      onMerged: (_types, count) => {
        mergesApplied += count;
        changed();
      },
      onError: fail,
    });
    const memories = new MemorySync({
      ignores: (body) => records.handles(body),
      replica: trackingReplica,
      device: settings.device,
      clock,
      target: {
        get: (id) => deps.target()?.get(id),
        lastActor: (id) => locked(deps.target()).lastActor(id),
        apply: (puts, deletes) => locked(deps.target()).apply(puts, deletes),
      },
      onMerged: (ids) => {
        mergesApplied += ids.length;
        deps.merged(ids);
        changed();
      },
      onError: fail,
    });
    await memories.load();
    await records.load();
    running = { settings, replica: trackingReplica, memories, records, unsent };
    state = 'connecting';
    replica.start({
      onTransfer: (direction, ids) => {
        if (direction === 'push') ids.forEach((id) => unsent.delete(id));
        changed();
      },
      onPaused: (error) => {
        if (error) {
          // No HTTP answer (or the browser says so): offline, retrying; an answer: the server refused.
          const answered = typeof error.details?.status === 'number' && error.details.status > 0;
          state = globalThis.navigator?.onLine === false || !answered ? 'offline' : 'error';
          fail(error);
          return;
        }
        state = 'idle';
        if (memories.pending === 0) lastSyncedAt = deps.clock.now();
        changed();
      },
      onActive: () => {
        state = 'syncing';
        changed();
      },
      onLocalChange: () => {
        memories.pull();
        records.pull();
      },
    });
    if (!settings.uploaded) {
      memories.committed(deps.target()?.ids() ?? []);
      await memories.idle();
      running.settings = { ...settings, uploaded: true };
      await deps.settings.write(running.settings);
    }
    memories.pull();
    records.settleAnnounced(!settings.uploaded && !settings.joined);
    records.changed();
    records.pull();
    changed();
  };

  const stop = async (destroy: boolean) => {
    const current = running;
    running = undefined;
    // Not running (locked, or it never started): the replica of an earlier run may still be there.
    if (!current && destroy) await destroyReplica(deps.replicaName, deps.replica);
    if (!current) return;
    current.records.close();
    await current.memories.idle();
    await current.records.idle();
    if (destroy) await current.replica.destroy();
    else await current.replica.stop();
  };

  const begin = async (settings: SyncSettings, check?: () => Promise<void>) => {
    if (running || (await deps.settings.read())) {
      throw new MemoryError('INVALID_ARGUMENT', 'Sync is already set up for this profile: disable it first');
    }
    locked(deps.target());
    await check?.();
    await deps.settings.write(settings);
    await start(settings);
    return status();
  };

  const newDevice = () => toHex(crypto.getRandomValues(new Uint8Array(8)));

  const current = async () => {
    const settings = running?.settings ?? (await deps.settings.read());
    if (!settings) throw new MemoryError('INVALID_ARGUMENT', 'Sync is not set up for this profile');
    return { syncKey: fromBase64Url(settings.syncKey)!, url: settings.url, auth: settings.auth };
  };

  /** A phrase carries the key only: the server comes beside it, and must hold a profile it opens. */
  const phrasePairing = async (phrase: string, server: SyncEnableOptions | undefined) => {
    const { parseRecoveryPhrase } = await import('./recovery-phrase');
    const syncKey = parseRecoveryPhrase(phrase);
    if (!server?.url) {
      throw new MemoryError('INVALID_ARGUMENT', 'A recovery phrase holds no server address: give the sync server URL too', {
        details: { reason: 'no-server' },
      });
    }
    const pairing: Pairing = { syncKey, url: checkServerUrl(server.url), auth: server.auth === true };
    const check = async () => (deps.checkRemote ?? checkRemote)({ ...pairing, keys: await deriveSyncKeys(syncKey) });
    return { pairing, check };
  };

  return {
    api: {
      enable: (options: SyncEnableOptions) =>
        begin({
          syncKey: toBase64Url(generateSyncKey()),
          url: checkServerUrl(options?.url),
          auth: options?.auth === true,
          device: newDevice(),
        }),
      join: async (codeOrPhrase: string, server?: SyncEnableOptions) => {
        const { pairing, check } = isPairingCode(codeOrPhrase)
          ? { pairing: parsePairingCode(codeOrPhrase), check: undefined }
          : await phrasePairing(codeOrPhrase, server);
        const { syncKey, url, auth } = pairing;
        return begin({ syncKey: toBase64Url(syncKey), url, auth, device: newDevice(), joined: true }, check);
      },
      pairingCode: async () => pairingCode(await current()),
      recoveryPhrase: async () => {
        const { recoveryPhrase } = await import('./recovery-phrase');
        return recoveryPhrase((await current()).syncKey);
      },
      status: async () => status(),
      disable: async () => {
        await stop(true);
        await deps.settings.write(undefined);
        state = 'off';
        lastSyncedAt = undefined;
        changed();
        return status();
      },
    },
    committed: (ids) => {
      running?.memories.committed(ids);
      running?.records.changed(); // their audit entries
    },
    recordsChanged: (types) => running?.records.changed(types),
    resume: () => {
      starting ??= (async () => {
        if (running || !deps.target()) return;
        const settings = await deps.settings.read();
        if (settings) await start(settings);
      })()
        .catch((error: unknown) => fail(error instanceof MemoryError ? error : new MemoryError('SYNC_FAILED', String(error))))
        .finally(() => (starting = undefined));
      return starting;
    },
    kick: () => running?.replica.kick(),
    pause: () => stop(false),
  };
}

function locked<T>(target: T | undefined): T {
  if (!target) throw new MemoryError('LOCKED', 'This profile is encrypted and locked: unlock it to sync');
  return target;
}
