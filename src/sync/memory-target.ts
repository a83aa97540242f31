/**
 * Merged memories land through the profile's store (the same transactions and audit trail as a
 * local change) and then the service's caches and indexes, the way another tab's writes do. They
 * are not reported as local changes, so they are not sent back.
 */
import type { MemoryStore } from '../core/ports';
import type { MemoryService } from '../core/semantic/memory-service';
import { memoryAudit } from '../core/semantic/memory-audit';
import type { Clock } from '../core/ports';
import type { MemoryTarget } from './memory-sync';

const REASON = 'synced from another device';

export function memoryTarget(service: MemoryService, store: MemoryStore, clock: Clock): MemoryTarget & { ids(): string[] } {
  return {
    get: (id) => service.get(id),
    ids: () => service.all().map((item) => item.id),
    lastActor: async (id) => (await store.history(id)).at(-1)?.actor ?? 'user',
    async apply(puts, deletes) {
      const now = clock.now();
      if (puts.length > 0) {
        const audit = puts.map(({ item, actor }) => {
          const before = service.get(item.id);
          return memoryAudit(now, actor, before ? 'update' : 'create', item.id, before, item, REASON);
        });
        await store.putMany(
          puts.map((put) => put.item),
          [],
          audit,
        );
      }
      if (deletes.length > 0) {
        await store.deleteMany(
          deletes.map((gone) => gone.id),
          deletes.map(({ id, actor }) => memoryAudit(now, actor, 'delete', id, undefined, undefined, REASON)),
        );
      }
      await service.applyRemote([...puts.map((put) => put.item.id), ...deletes.map((gone) => gone.id)], []);
    },
  };
}
