/**
 * `maintenance.verify()`: checks storage (see storage/verify.ts) and this client's search indexes
 * against it under the profile's write lock, repairs what can be rebuilt, then reloads the indexes
 * here and in other tabs, and lets the background job embed what lost its vector. The checks load
 * when a verify runs.
 */
import type { VerifyOptions, VerifyReport } from '../sdk/maintenance';
import type { Clock } from '../core/ports';
import type { MemoryService } from '../core/semantic/memory-service';
import type { MnemeDatabase } from '../storage/db';
import type { RecordCodec } from '../storage/codec';
import type { TabCoordinator } from '../storage/tabs';
import type { Finding } from '../storage/verify';

export interface MaintenanceDeps {
  /** The profile's database now (it moves when the profile is rewritten). */
  db: () => MnemeDatabase;
  codec: () => RecordCodec;
  tabs: TabCoordinator;
  clock: Clock;
  /** The embedding model whose vectors the search index holds, if any. */
  model: () => string | undefined;
  /** Rebuilds every index from storage, here and in other tabs, and re-embeds what needs it. */
  reload: (ids: string[]) => Promise<void>;
}

export function createMaintenance(deps: MaintenanceDeps) {
  return {
    async verify(service: MemoryService, options: VerifyOptions = {}): Promise<VerifyReport> {
      const repair = options.repair !== false;
      const { hasRepairs, inspectStorage, repairStorage } = await import('../storage/verify');
      let reload: string[] | undefined;
      const report = await deps.tabs.withWriteLock(async () => {
        const removeUnreadable = repair && options.removeUnreadable === true;
        const inspection = await inspectStorage(deps.db(), deps.codec(), { removeUnreadable });
        const model = deps.model();
        const diff = service.differences(inspection.items, (model && inspection.vectors.get(model)) || new Set());
        const stale = [...new Set([...diff.items, ...diff.lexical, ...diff.vectors])];
        const findings: Finding[] = [...inspection.findings];
        if (stale.length > 0 || diff.strays > 0) {
          findings.push({
            check: 'index-out-of-date',
            where: 'index',
            ids: stale.slice(0, 100),
            count: stale.length + diff.strays,
            detail: `The search index disagrees with storage on ${stale.length + diff.strays} entries`,
            repairable: true,
          });
        }
        if (repair && hasRepairs(inspection.plan))
          await repairStorage(deps.db(), deps.codec(), inspection.plan, deps.clock.now());
        if (repair && findings.some((found) => found.repairable)) reload = stale;
        return {
          ok: findings.length === 0,
          healthy: findings.every((found) => repair && found.repairable),
          checked: inspection.checked,
          problems: findings.map(({ repairable, ...problem }) => ({ ...problem, repaired: repair && repairable })),
          at: deps.clock.now(),
        };
      });
      // Outside the lock: reloading reads storage, and the re-embedding job takes the lock itself.
      if (reload) await deps.reload(reload);
      return report;
    },
  };
}
