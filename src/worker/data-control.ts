/**
 * The data API's work: export the profile, import a file (merge or replace), wipe every memory
 * layer. Checks (closed, locked) stay in the engine; this file only does the work. Wipe is a
 * rewrite of the profile keeping only its settings: a new storage bucket, the old one deleted
 * (profile-rewrite.ts). The export code and its schema (zod) load when an export or an import runs.
 */
import { throwIfAborted } from '../sdk/errors';
import type { ExportOptions, ImportOptions, ImportReport } from '../sdk/data-types';
import type { Clock } from '../core/ports';
import type { RecordCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';
import { readEnvelope } from '../storage/crypto/profile-encryption';
import type { TabCoordinator } from '../storage/tabs';
import type { Rewriter } from './profile-rewrite';

export interface DataControlDeps {
  profileId: string;
  /** The profile's database now (it moves when the profile is rewritten). */
  db(): MnemeDatabase;
  /** The codec of the open profile (sealed or plain). */
  codec(): RecordCodec;
  tabs: TabCoordinator;
  rewrite: Rewriter;
  /** The current embedder's model and dimension (imported vectors of another model are not kept). */
  embedder(): { modelId: string | undefined; dimension: number | undefined };
  /** After a bulk change: reopen this view and the other tabs' (unless they followed a move; the ids written). */
  reload(ids: string[], moved?: boolean): Promise<void>;
  clock: Clock;
}

export function createDataControl(deps: DataControlDeps) {
  const { tabs } = deps;
  return {
    async export(options: ExportOptions = {}): Promise<string> {
      const codec = deps.codec();
      const { checkExportChoice, exportProfile } = await import('../storage/export');
      // An encrypted profile leaves in clear only when asked for by name (`plaintext: true`).
      checkExportChoice(codec.encrypted, options);
      return exportProfile(deps.db(), codec, { id: deps.profileId }, deps.clock.now(), options.passphrase);
    },
    async import(text: string, options: ImportOptions = {}): Promise<ImportReport> {
      const { importProfile, parseExport } = await import('../storage/export');
      const file = await parseExport(text, options.passphrase);
      throwIfAborted(options.signal);
      const { modelId, dimension } = deps.embedder();
      const report = await tabs.withWriteLock(() =>
        importProfile(deps.db(), deps.codec(), file, options.mode ?? 'merge', modelId, dimension),
      );
      await deps.reload(file.memories.map((item) => item.id));
      return report;
    },
    /** Empties every memory layer; the memories' ids are reported as written, so sync sends their deletion to paired devices. */
    async wipe(): Promise<void> {
      const codec = deps.codec();
      const envelope = await readEnvelope(deps.db());
      const ids = (await deps.db().memories.toCollection().primaryKeys()) as string[];
      const moved = await deps.rewrite({ reason: 'wipe', from: codec, to: codec, envelope, settingsOnly: true });
      await deps.reload(ids, moved);
    },
  };
}
