/**
 * Merged memories land through the profile's MemoryService: the same transactions and audit trail
 * as a local change, and its caches and indexes updated before the write resolves (a merged
 * memory is listed and found at once). They are not reported as local changes, so they are not
 * sent back.
 */
import type { MemoryService } from '../core/semantic/memory-service';
import type { MemoryTarget } from './memory-sync';

const REASON = 'synced from another device';

export function memoryTarget(service: MemoryService): MemoryTarget & { ids(): string[] } {
  return {
    get: (id) => service.get(id),
    ids: () => service.all().map((item) => item.id),
    lastActor: async (id) => (await service.history(id)).at(-1)?.actor ?? 'user',
    apply: (puts, deletes) => service.applyMerged(puts, deletes, REASON),
  };
}
