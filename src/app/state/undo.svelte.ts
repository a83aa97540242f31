/**
 * Undo after a delete: the deletion happens at once (a deleted memory leaves search and the next
 * prompt right away), and for a few seconds a toast offers to put it back. Putting it back goes
 * through the SDK's own import (merge), with the records exactly as they were: same ids, same
 * text and dates, a conversation with every turn and its summary.
 */
import type { MemoryItem, Session, SessionSummary, Turn } from '../../sdk/index';

/** How long the toast stays; a test may shorten it with `localStorage['mneme:undo-ms']`. */
export const UNDO_MS = 8000;

export interface UndoOffer {
  /** What was deleted, as the toast says it. */
  message: string;
  undo: () => Promise<void>;
}

export class UndoState {
  offer = $state.raw<UndoOffer | undefined>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  get duration(): number {
    const chosen = Number(globalThis.localStorage?.getItem('mneme:undo-ms'));
    return Number.isFinite(chosen) && chosen > 0 ? chosen : UNDO_MS;
  }

  /** Shows the toast (replacing an earlier one, whose deletion then simply stays). */
  show(message: string, undo: () => Promise<void>): void {
    this.offer = { message, undo };
    this.resume();
  }

  /** The pointer or the keyboard is on the toast: it waits for the person. */
  pause(): void {
    clearTimeout(this.#timer);
  }

  resume(): void {
    clearTimeout(this.#timer);
    if (this.offer) this.#timer = setTimeout(() => this.dismiss(), this.duration);
  }

  dismiss(): void {
    clearTimeout(this.#timer);
    this.offer = undefined;
  }

  async undo(): Promise<void> {
    const offer = this.offer;
    this.dismiss();
    await offer?.undo();
  }
}

/** An export file holding only the given records: importing it (merge) puts them back as they were. */
export function restorationFile(
  profileId: string,
  records: { memories?: MemoryItem[]; session?: Session; turns?: Turn[]; summary?: SessionSummary | undefined },
): string {
  const tables: Record<string, unknown[]> = {};
  // The trail says the memory came back (its earlier entries stay as the delete left them).
  const at = Date.now();
  if (records.memories?.length) {
    tables.audit = records.memories.map((item) => ({
      at,
      actor: 'user',
      action: 'restore',
      entity: 'memory',
      entityId: item.id,
      reason: 'delete undone',
    }));
  }
  if (records.session) tables.sessions = [plain(records.session)];
  if (records.turns) tables.turns = records.turns.map(plain);
  if (records.summary) {
    const { sessionId, text, turnsCovered, updatedAt } = records.summary;
    const createdAt = (records.summary as { createdAt?: number }).createdAt ?? updatedAt;
    tables.summaries = [{ id: sessionId, sessionId, text, turnsCovered, createdAt, updatedAt }];
  }
  return JSON.stringify({
    format: 'mneme-export',
    version: 1,
    exportedAt: at,
    profile: { id: profileId },
    memories: (records.memories ?? []).map(plain),
    vectors: [],
    tables,
  });
}

/** A copy without `undefined` fields (the file format leaves optional fields out). */
function plain<T extends object>(record: T): T {
  return JSON.parse(JSON.stringify(record)) as T;
}
