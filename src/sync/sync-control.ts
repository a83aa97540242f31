/**
 * The engine's sync: set up (enable / join), run, report (status, `sync` events) and stop. It owns
 * the profile's sync settings and one replica; memories go through {@link MemorySync}. Sync runs
 * while the profile is open (unlocked) and catches up after being offline or closed.
 */
import { MemoryError } from '../sdk/errors';
import type { SyncApi, SyncEnableOptions, SyncErrorInfo, SyncServerSetup, SyncStatus } from '../sdk/sync';
import type { Clock } from '../core/ports';
import { HybridClock } from './hlc';
import { deviceKind } from './devices';
import { createDeviceApi, createKeyApi, followed, locked, remoteOf, removedError, retire } from './sync-settings';
import { seenAt, withDevice, withDeviceRecords, type SyncSettings } from './sync-settings';
import { deriveSyncKeys, fromBase64Url, generateSyncKey, toBase64Url, toHex } from './keys';
import { canonical } from './merge';
import { MemorySync, type MemoryTarget } from './memory-sync';
import { KnownDevices } from './known-devices';
import { pausedOn } from './server-setup';
import { checkServerUrl, isPairingCode, parsePairingCode, phrasePairing } from './pairing';
import { RECORD_KINDS, type RecordKind } from './record-kinds';
import { RecordSync, type RecordTarget } from './record-sync';
import { findNotice, isNotice, NOTICE_NAME, readNotice, type RotationNotice } from './rotation';
import type { WatchChanges } from './record-changes';
import type { SyncReplica } from './port';
import { TransferProgress, trackUnsent } from './sync-progress';
import { checkRemote, createPouchReplica, destroyReplica, type PouchReplicaOptions, type RemoteOptions } from './pouch-replica';

export type { SyncSettings } from './sync-settings';

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
  /** Retries at once (back online, focus); starts sync again when an earlier start failed (a removal to finish). */
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
  progress: TransferProgress;
}

export function createSyncControl(deps: SyncControlDeps): SyncControl {
  let running: Running | undefined;
  let starting: Promise<void> | undefined;
  let state: SyncStatus['state'] = 'off';
  let lastSyncedAt: number | undefined;
  let mergesApplied = 0;
  /** What the server's admin must create before this device can sync (`auth`), while it waits for it. */
  let serverSetup: SyncServerSetup | undefined;
  const errors: SyncErrorInfo[] = [];

  /** The settings of the sync that runs, is starting or moving, or that this device was removed from. */
  let known: SyncSettings | undefined;
  let saving = Promise.resolve();
  /** Writes the latest settings (one write at a time, the newest last). */
  const persist = (settings: SyncSettings | undefined) => {
    known = settings;
    if (running && settings) running.settings = settings;
    saving = saving.then(() => deps.settings.write(known)).catch((error: unknown) => fail(toError(error)));
    return saving;
  };

  const status = (): SyncStatus => {
    const settings = running?.settings ?? known;
    const removed = settings?.removed;
    const pending = running ? running.memories.pending + running.records.pending + running.unsent.size : 0;
    const progress = running?.progress.transfers(pending) ?? [];
    return {
      enabled: settings !== undefined && !removed,
      state: !settings ? 'off' : removed ? 'removed' : state,
      ...(settings ? { url: settings.url, device: settings.device } : {}),
      ...(settings?.keyChangedAt !== undefined ? { keyChangedAt: settings.keyChangedAt } : {}),
      ...(removed ? { removed: { ...removed } } : {}),
      ...(running && serverSetup ? { serverSetup: { ...serverSetup } } : {}),
      ...(lastSyncedAt !== undefined ? { lastSyncedAt } : {}),
      pending,
      mergesApplied,
      errors: errors.map((error) => ({ ...error })),
      ...(progress.length > 0 ? { progress } : {}),
    };
  };
  const changed = () => deps.emit(status());
  /** `retried`: a replication that retries failed again; the same failure as the last gets a new time rather than a new line. */
  const fail = (error: MemoryError, retried = false) => {
    if (retried && errors[0]?.code === error.code && errors[0].message === error.message) errors.shift();
    errors.unshift({ at: deps.clock.now(), code: error.code, message: error.message });
    errors.length = Math.min(errors.length, MAX_ERRORS);
    changed();
  };

  /** Another device removed one: move to the new key, or stop when this device is the one removed. */
  const follow = async (settings: SyncSettings, notice: RotationNotice) => {
    const next = await followed(settings, notice);
    if (next.removed) await destroyReplica(deps.replicaName, deps.replica);
    await persist(next);
    if (next.removed) fail(removedError());
    else await start(next);
  };

  /** While running: a notice arrived in the replica, or was `found` on the server (coalesced). */
  let noticeCheck: Promise<void> | undefined;
  const watchNotice = (run: Running, found?: RotationNotice) => {
    noticeCheck ??= (async () => {
      const body = found ?? (await run.replica.get([NOTICE_NAME]))[0];
      if (!isNotice(body) || body.by === run.settings.device || running !== run) return;
      state = 'moving';
      changed();
      await stop(false);
      await follow(run.settings, body);
    })()
      .catch((error: unknown) => fail(toError(error)))
      .finally(() => (noticeCheck = undefined));
  };

  /** Every device record (this one's with it) lives in the settings; the rest in the profile. */
  const targetOf = (run: Running): RecordTarget | undefined => {
    const base = deps.records?.();
    if (deps.records && !base) return undefined;
    return withDeviceRecords(
      base,
      () => run.settings,
      async (settings) => {
        if (running === run) await persist(settings);
      },
    );
  };

  const seenNow = (run: Running) => {
    const next = seenAt(run.settings, deps.clock.now());
    if (!next) return;
    void persist(next);
    run.records.changed([deviceKind.type]);
  };

  const start = async (initial: SyncSettings): Promise<void> => {
    known = initial;
    serverSetup = undefined;
    if (initial.removed) {
      changed();
      return;
    }
    let settings = await withDevice(initial, deps.clock.now());
    if (canonical(settings) !== canonical(initial)) await persist(settings);
    if (settings.rotation || settings.staleReplica) {
      state = 'moving';
      changed();
      await destroyReplica(deps.replicaName, deps.replica);
      if (settings.rotation) await retire(settings);
      const { rotation: _rotation, staleReplica: _stale, ...rest } = settings;
      settings = rest;
      await persist(settings);
    } else {
      const notice = await readNotice(await remoteOf(settings));
      if (notice && notice.by !== settings.device) return follow(settings, notice);
    }
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
    const [unsent, progress] = [new Set<string>(), new TransferProgress(2, changed)];
    const trackingReplica = trackUnsent(replica, unsent, changed);
    // Each pulled document is read by both syncs below (2); they share the devices known (each merge needs them all).
    const run = { settings, replica: trackingReplica, unsent, progress } as Running;
    const devices = new KnownDevices(trackingReplica, settings.device);
    const records = new RecordSync({
      devices,
      replica: trackingReplica,
      device: settings.device,
      clock,
      kinds: [...RECORD_KINDS, deviceKind as RecordKind],
      target: () => targetOf(run),
      ...(deps.watchRecords ? { watch: deps.watchRecords } : {}),
      onMerged: (types, count) => {
        // Device records are bookkeeping, not the user's changes.
        if (types.every((type) => type === deviceKind.type)) return changed();
        mergesApplied += count;
        changed();
      },
      onError: fail,
      onPulled: (ids) => progress.merged(ids),
    });
    const memories = new MemorySync({
      devices,
      ignores: (body) => records.handles(body) || isNotice(body),
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
      onPulled: (ids) => progress.merged(ids),
    });
    await memories.load();
    await records.load();
    Object.assign(run, { memories, records });
    running = run;
    state = 'connecting';
    replica.start({
      onTransfer: (direction, ids, remaining) => {
        if (direction === 'push') ids.forEach((id) => unsent.delete(id));
        else progress.pulled(ids, remaining);
        serverSetup = undefined;
        changed();
      },
      onPaused: (error) => {
        if (error) {
          const paused = pausedOn(error, settings.auth, keys, deps.clock.now(), serverSetup);
          ({ state, setup: serverSetup } = paused);
          fail(paused.error, true);
          return;
        }
        serverSetup = undefined;
        state = 'idle';
        memories.pull(); // what came in is merged by these pulls at the latest
        records.pull();
        progress.caughtUp(Promise.all([memories.idle(), records.idle()]), () => state === 'idle' && running === run);
        if (memories.pending === 0) lastSyncedAt = deps.clock.now();
        seenNow(run);
        changed();
      },
      onActive: () => {
        state = 'syncing';
        changed();
      },
      onLocalChange: () => {
        memories.pull();
        records.pull();
        watchNotice(run);
      },
      // Nothing goes to a database another device's removal retired (this one was offline meanwhile): it moves first.
      mayPush: async () => {
        const notice = await findNotice({ url: settings.url, auth: settings.auth, keys });
        if (notice && notice.by !== settings.device) watchNotice(run, notice);
        return !notice || notice.by === settings.device;
      },
    });
    if (!settings.uploaded) {
      memories.committed(deps.target()?.ids() ?? []);
      await memories.idle();
      await persist({ ...run.settings, uploaded: true });
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
    const existing = await deps.settings.read();
    if (running || (existing && !existing.removed)) {
      throw new MemoryError('INVALID_ARGUMENT', 'Sync is already set up for this profile: disable it first');
    }
    locked(deps.target());
    await check?.();
    await persist(settings);
    await start(settings);
    return status();
  };

  const newDevice = () => toHex(crypto.getRandomValues(new Uint8Array(8)));

  const deviceApi = createDeviceApi({
    settings: () => running?.settings ?? known,
    running: () => {
      if (running) return running;
      if (known?.removed) throw removedError();
      throw new MemoryError('INVALID_ARGUMENT', 'Sync is not running on this device');
    },
    persist,
    clock: deps.clock,
    restart: async (next) => {
      state = 'moving';
      changed();
      await stop(false);
      await start(next);
    },
  });

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
          : await phrasePairing(codeOrPhrase, server, deps.checkRemote ?? checkRemote);
        const { syncKey, url, auth } = pairing;
        return begin({ syncKey: toBase64Url(syncKey), url, auth, device: newDevice(), joined: true }, check);
      },
      ...createKeyApi(async () => running?.settings ?? (await deps.settings.read())),
      status: async () => status(),
      ...deviceApi,
      disable: async () => {
        await stop(true);
        await persist(undefined);
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
    resume: () => resumeNow(),
    kick: () => {
      if (running) running.replica.kick();
      else if (known && !known.removed) void resumeNow();
    },
    pause: async () => {
      await stop(false);
      known = undefined; // locked or closed: nothing of the settings stays in memory
    },
  };

  function resumeNow(): Promise<void> {
    starting ??= (async () => {
      if (running || !deps.target()) return;
      const settings = await deps.settings.read();
      if (settings) await start(settings);
    })()
      .catch((error: unknown) => fail(toError(error)))
      .finally(() => (starting = undefined));
    return starting;
  }
}

const toError = (error: unknown) => (error instanceof MemoryError ? error : new MemoryError('SYNC_FAILED', String(error)));
