/**
 * Rewriting a whole profile (encryption on or off, a new data key, wipe, compaction after deletes)
 * under its write lock. Where the browser has Storage Buckets the profile is copied into a new
 * bucket and the old one deleted, so nothing old stays on disk (storage/location.ts); elsewhere
 * it is rewritten in place. Progress goes to the caller and to every subscriber.
 */
import type { MemoryEvent, ProgressCallback, RewriteReason } from '../sdk/types';
import type { RecordCodec } from '../storage/codec';
import type { MnemeDatabase } from '../storage/db';
import type { KeyEnvelope } from '../storage/crypto/envelope';
import { LAYER_TABLES } from '../storage/layer-tables';
import { canRelocate, dropLocation, type ProfileLocation } from '../storage/location';
import { NoNewLocation, relocate, type RelocationDeps } from '../storage/relocate';
import type { TabCoordinator } from '../storage/tabs';

export interface RewriteDeps {
  relocation: RelocationDeps;
  tabs: TabCoordinator;
  db(): MnemeDatabase;
  /** Makes `db` this client's database of the profile (the rewriter closes the old one). */
  install(db: MnemeDatabase, location: ProfileLocation): void;
  emit(event: MemoryEvent): void;
}

export interface RewritePlan {
  reason: RewriteReason;
  from: RecordCodec;
  to: RecordCodec;
  /** The key envelope after the rewrite (none: stored in clear). */
  envelope: KeyEnvelope | undefined;
  /** Keep only the settings (wipe). */
  settingsOnly?: boolean;
  /** Continue a copy an earlier attempt left (a key rotation). */
  resume?: boolean;
  /** Runs on the old copy, under the lock, once its new location exists (only when the profile moves). */
  prepare?: (db: MnemeDatabase) => Promise<void>;
  onProgress?: ProgressCallback;
}

export type Rewriter = (plan: RewritePlan) => Promise<boolean>;

/** Returns a function that rewrites the profile and resolves true when it moved (other tabs were told). */
export function createRewriter(deps: RewriteDeps): Rewriter {
  const { name } = deps.relocation;
  return (plan) =>
    deps.tabs.withWriteLock(async () => {
      const progress = (loaded: number, total: number, finished?: boolean) => {
        plan.onProgress?.({ phase: plan.reason, loaded, total });
        deps.emit({ type: 'rewriting', reason: plan.reason, loaded, total, ...(finished ? { finished } : {}) });
      };
      const source = deps.db();
      const inPlace = async () => {
        if (plan.settingsOnly) {
          await source.transaction('rw', source.tables, () =>
            Promise.all([
              source.memories.clear(),
              source.vectorChunks.clear(),
              ...LAYER_TABLES.map((t) => source.table(t).clear()),
            ]),
          );
        } else if (plan.reason !== 'compact') {
          const { reencodeProfile } = await import('../storage/crypto/profile-copy');
          await reencodeProfile(source, plan.from, plan.to, plan.envelope);
        }
        progress(1, 1, true);
        return false;
      };
      if (!canRelocate()) return inPlace();
      let last = { loaded: 0, total: 0 };
      const moving = relocate(deps.relocation, source, {
        from: plan.from,
        to: plan.to,
        envelope: plan.envelope,
        ...(plan.settingsOnly ? { settingsOnly: true } : {}),
        ...(plan.resume ? { resume: true } : {}),
        ...(plan.prepare ? { prepare: () => plan.prepare!(source) } : {}),
        onProgress: ({ loaded, total }) => {
          last = { loaded, total };
          progress(loaded, total);
        },
      });
      const moved = await moving.catch((error: unknown) => {
        if (error instanceof NoNewLocation) return undefined;
        throw error;
      });
      if (!moved) return inPlace();
      deps.install(moved.db, moved.location);
      source.close();
      // Wipe and compaction keep the codec: views in other tabs stay usable under their key.
      deps.tabs.announce({ type: 'relocated', sameKey: plan.from === plan.to });
      // Committed: a failure from here on leaves the old copy retired, deleted at the next open.
      await dropLocation(name, moved.previous);
      await deps.relocation.registry.clearRetired(deps.relocation.profileId);
      progress(last.total, last.total, true);
      return true;
    });
}
