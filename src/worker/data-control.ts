/**
 * The data API's work: export the profile, import a file (merge or replace), wipe every memory
 * layer. Checks (closed, locked) stay in the engine; this file only does the work.
 */
import { throwIfAborted } from '../sdk/errors';
import type { ExportOptions, ImportOptions, ImportReport } from '../sdk/data-types';
import type { Clock } from '../core/ports';
import type { MnemeDatabase } from '../storage/db';
import type { RecordCodec } from '../storage/codec';
import type { TabCoordinator } from '../storage/tabs';
import { checkExportChoice, exportProfile, importProfile, parseExport } from '../storage/export';
import { LAYER_TABLES } from '../storage/export-schema';

export interface DataControlDeps {
  db: MnemeDatabase;
  profileId: string;
  /** The codec of the open profile (sealed or plain). */
  codec(): RecordCodec;
  tabs: TabCoordinator;
  /** The current embedder's model and dimension (imported vectors of another model are not kept). */
  embedder(): { modelId: string | undefined; dimension: number | undefined };
  /** After a bulk change: reopen this view and the other tabs' (the ids written). */
  reload(ids: string[]): Promise<void>;
  clock: Clock;
}

export function createDataControl(deps: DataControlDeps) {
  const { db, tabs } = deps;
  return {
    export: (options: ExportOptions = {}): Promise<string> => {
      const codec = deps.codec();
      // An encrypted profile leaves in clear only when asked for by name (`plaintext: true`).
      checkExportChoice(codec.encrypted, options);
      return exportProfile(db, codec, { id: deps.profileId }, deps.clock.now(), options.passphrase);
    },
    async import(text: string, options: ImportOptions = {}): Promise<ImportReport> {
      const file = await parseExport(text, options.passphrase);
      throwIfAborted(options.signal);
      const { modelId, dimension } = deps.embedder();
      const report = await tabs.withWriteLock(() =>
        importProfile(db, deps.codec(), file, options.mode ?? 'merge', modelId, dimension),
      );
      await deps.reload(file.memories.map((item) => item.id));
      return report;
    },
    async wipe(): Promise<void> {
      await tabs.withWriteLock(() =>
        db.transaction('rw', db.tables, () =>
          Promise.all([db.memories.clear(), db.vectorChunks.clear(), ...LAYER_TABLES.map((t) => db.table(t).clear())]),
        ),
      );
      await deps.reload([]);
    },
  };
}
