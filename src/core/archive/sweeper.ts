/**
 * The policy sweep: memories past their kind's retention are deleted (text, vector and index
 * entries together); memories whose decayed importance fell below 0.1 move to the archive.
 * Pinned memories are left alone. Every change is audited with `policy` as the actor. A last use
 * an older version stored to the millisecond is rounded to its day first (see `accessDay`).
 */
import type { SweepReport } from '../../sdk/types';
import type { Clock } from '../ports';
import type { MemoryService } from '../semantic/memory-service';
import { accessDay, policyFor, type RetentionPolicy } from './policies';

export async function sweep(memory: MemoryService, retention: RetentionPolicy, clock: Clock): Promise<SweepReport> {
  const now = clock.now();
  const report: SweepReport = { archived: [], deleted: [] };
  const exact = memory
    .all()
    .filter((item) => item.lastAccessedAt !== undefined && item.lastAccessedAt !== accessDay(item.lastAccessedAt));
  if (exact.length > 0)
    await memory.touch(
      exact.map((item) => item.id),
      true,
    );
  for (const item of memory.all()) {
    const action = policyFor(item, now, retention);
    if (action === 'delete') {
      await memory.delete(item.id, 'policy', `older than the ${item.kind} retention period`);
      report.deleted.push(item.id);
    } else if (action === 'archive') {
      await memory.setArchived(item.id, now, 'policy', 'importance decayed below 0.1');
      report.archived.push(item.id);
    }
  }
  return report;
}
