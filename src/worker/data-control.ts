/**
 * `data.export / import / wipe` of one profile. Wipe is a rewrite of the profile keeping only its
 * settings: a new storage bucket, the old one deleted (profile-rewrite.ts).
 */
import { throwIfAborted } from '../sdk/errors';
import type { DataApi } from '../sdk/client';
import type { RecordCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';
import { readEnvelope } from '../storage/crypto/profile-encryption';
import { exportProfile, importProfile, parseExport } from '../storage/export';
import type { TabCoordinator } from '../storage/tabs';
import type { Rewriter } from './profile-rewrite';

export interface DataDeps {
  profileId: string;
  db(): MnemeDatabase;
  codec(): RecordCodec;
  tabs: TabCoordinator;
  rewrite: Rewriter;
  now(): number;
  /** The embedding model in use and its dimension (imported vectors of another model are dropped). */
  model(): { id: string | undefined; dimension: number | undefined };
  /** Reloads this client's views and other tabs' (unless they followed a move), re-embeds what needs it. */
  reopenEverywhere(ids: string[], moved?: boolean): Promise<void>;
}

export function createDataControl(deps: DataDeps): DataApi {
  return {
    export: (options = {}) => exportProfile(deps.db(), deps.codec(), { id: deps.profileId }, deps.now(), options.passphrase),
    async import(text, options = {}) {
      const file = await parseExport(text, options.passphrase);
      throwIfAborted(options.signal);
      const { id, dimension } = deps.model();
      const report = await deps.tabs.withWriteLock(() =>
        importProfile(deps.db(), deps.codec(), file, options.mode ?? 'merge', id, dimension),
      );
      await deps.reopenEverywhere(file.memories.map((item) => item.id));
      return report;
    },
    async wipe() {
      const codec = deps.codec();
      const envelope = await readEnvelope(deps.db());
      const moved = await deps.rewrite({ reason: 'wipe', from: codec, to: codec, envelope, settingsOnly: true });
      await deps.reopenEverywhere([], moved);
    },
  };
}
