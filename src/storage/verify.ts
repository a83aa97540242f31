/**
 * The storage half of `maintenance.verify()`: reads every memory row, vector block and layer
 * record of a profile, finds where they disagree, and plans a repair for what can be rebuilt
 * from what is left (vectors come back by embedding the text again; an index by re-reading
 * storage). The plan runs in one transaction. Unreadable content is reported, and deleted only
 * when asked (`removeUnreadable`): each removal is audited.
 */
import { Dexie } from 'dexie';
import type { AuditEntry, MemoryItem } from '../sdk/types';
import type { VerifyCheck, VerifyProblem } from '../sdk/maintenance';
import { checkImportance, checkKind, checkText, checkTime } from '../core/semantic/validate';
import { chunkBinding, SEALED_SETTINGS, type MemoryRow, type RecordCodec, type StoredRow } from './codec';
import type { MnemeDatabase, VectorChunkRow } from './db';
import { LAYER_TABLES } from './layer-tables';
import { encodeFloat16 } from './float16';
import { GENERATION_KEY, toFloats } from './vector-chunks';
import { ENVELOPE_KEY } from './crypto/write-guard';

/** A problem found, before anyone decided whether to repair it. */
export type Finding = Omit<VerifyProblem, 'repaired'> & { repairable: boolean };

/** What a repair changes; every part is derived from what is still readable. */
interface RepairPlan {
  /** Vector slots to free, per chunk (`model\0chunk`). */
  freeSlots: Map<string, { model: string; chunk: number; slots: Set<number> }>;
  /** Vector blocks to drop whole (their bytes are damaged). */
  dropChunks: [string, number][];
  /** Memories to mark as not embedded, so the background job embeds them again. */
  unembed: Set<string>;
  /** Records to delete, per table (memories, layer tables, settings), by primary key. */
  deleteRecords: Map<string, (string | number)[]>;
  /** Of those, the unreadable ones: each removal is audited. */
  removed: { table: string; id: string }[];
}

export interface InspectOptions {
  /** Plan to remove the records that cannot be read (damaged, or planted unsealed). */
  removeUnreadable?: boolean;
}

export interface StorageInspection {
  /** The memories that read back and pass the rules. */
  items: MemoryItem[];
  /** Per model, the memory ids with a stored vector (after the planned repair). */
  vectors: Map<string, Set<string>>;
  findings: Finding[];
  checked: { memories: number; vectors: number; records: number };
  plan: RepairPlan;
}

const MAX_IDS = 100;
const CHUNK_KEY = (model: string, chunk: number) => `${model}\u0000${chunk}`;

function finding(check: VerifyCheck, where: string, ids: string[], detail: string, repairable: boolean): Finding {
  return { check, where, ids: ids.slice(0, MAX_IDS), count: ids.length, detail, repairable };
}

/** Whether a decoded memory keeps the rules every write enforces. */
function validMemory(item: MemoryItem): boolean {
  try {
    checkText(item.text);
    checkKind(item.kind);
    checkImportance(item.importance);
    checkTime(item.createdAt, 'createdAt');
    checkTime(item.updatedAt, 'updatedAt');
    return typeof item.id === 'string' && item.id.length > 0;
  } catch {
    return false;
  }
}

export async function inspectStorage(
  db: MnemeDatabase,
  codec: RecordCodec,
  options: InspectOptions = {},
): Promise<StorageInspection> {
  const findings: Finding[] = [];
  const plan: RepairPlan = { freeSlots: new Map(), dropChunks: [], unembed: new Set(), deleteRecords: new Map(), removed: [] };
  const remove = options.removeUnreadable === true;
  const planRemoval = (table: string, keys: (string | number)[]) => {
    plan.deleteRecords.set(table, [...(plan.deleteRecords.get(table) ?? []), ...keys]);
  };
  /** Audit entries are keyed by their number; every other table by a string. */
  const unreadableRemoval = (table: string, ids: string[]) => {
    planRemoval(table, table === 'audit' ? ids.map(Number) : ids);
    plan.removed.push(...ids.map((id) => ({ table, id })));
  };

  // Memories: each row must decode and keep the rules.
  const rows = await db.memories.toArray();
  const items: MemoryItem[] = [];
  const unreadable: string[] = [];
  const unsealed = new Map<string, string[]>();
  const refuse = (table: string, row: StoredRow, key: string, broken: string[]) => {
    if (codec.encrypted && !(row.sealed instanceof ArrayBuffer)) unsealed.set(table, [...(unsealed.get(table) ?? []), key]);
    else broken.push(key);
  };
  const invalid: string[] = [];
  for (const row of rows) {
    let item: MemoryItem;
    try {
      item = await codec.decodeItem(row);
    } catch {
      refuse('memories', row as StoredRow, String(row.id), unreadable);
      continue;
    }
    if (validMemory(item)) items.push(item);
    else invalid.push(String(row.id));
  }
  if (unreadable.length > 0) {
    findings.push(finding('unreadable-record', 'memories', unreadable, `${unreadable.length} memories cannot be read`, remove));
  }
  if (invalid.length > 0) {
    findings.push(finding('invalid-memory', 'memories', invalid, `${invalid.length} memories break the storage rules`, false));
  }
  const byId = new Map(items.map((item) => [item.id, item]));
  // A memory to be removed no longer keeps its vector (otherwise all that is left of it).
  const removing = new Set(remove ? [...unreadable, ...(unsealed.get('memories') ?? [])] : []);
  const present = new Set(rows.map((row: MemoryRow) => row.id).filter((id) => !removing.has(id)));

  // Vector blocks: bytes that match their size, one slot per memory, owned by a memory of that model.
  const vectors = new Map<string, Set<string>>();
  const corrupt: string[] = [];
  const orphans: string[] = [];
  const duplicates: string[] = [];
  let vectorCount = 0;
  const free = (row: VectorChunkRow, slot: number) => {
    const key = CHUNK_KEY(row.model, row.chunk);
    const entry = plan.freeSlots.get(key) ?? { model: row.model, chunk: row.chunk, slots: new Set<number>() };
    entry.slots.add(slot);
    plan.freeSlots.set(key, entry);
  };
  for (const row of await db.vectorChunks.toArray()) {
    if (!(await chunkReadable(row, codec))) {
      corrupt.push(`${row.model}/${row.chunk}`);
      plan.dropChunks.push([row.model, row.chunk]);
      for (const id of Array.isArray(row.ids) ? row.ids : []) if (typeof id === 'string') plan.unembed.add(id);
      continue;
    }
    const seen = vectors.get(row.model) ?? new Set<string>();
    vectors.set(row.model, seen);
    row.ids.forEach((id, slot) => {
      if (id === null) return;
      vectorCount++;
      if (seen.has(id)) {
        duplicates.push(id);
        free(row, slot);
      } else if (byId.get(id)?.embeddingModel !== row.model && !(present.has(id) && !byId.has(id))) {
        // No memory, or a memory since embedded by another model (or by none). A memory that
        // cannot be read keeps its vector: the vector is all that is left of it.
        orphans.push(id);
        free(row, slot);
      } else {
        seen.add(id);
      }
    });
  }
  if (corrupt.length > 0) {
    findings.push(finding('corrupt-vector-chunk', 'vectorChunks', corrupt, `${corrupt.length} vector blocks are damaged`, true));
  }
  if (duplicates.length > 0) {
    findings.push(
      finding('duplicate-vector', 'vectorChunks', duplicates, `${duplicates.length} memories have two vector slots`, true),
    );
  }
  if (orphans.length > 0) {
    findings.push(finding('orphan-vector', 'vectorChunks', orphans, `${orphans.length} vectors belong to no memory`, true));
  }
  for (const id of plan.unembed) for (const ids of vectors.values()) ids.delete(id);

  // Memories marked as embedded by a model with no vector for them.
  const missing = items
    .filter((item) => item.embeddingModel !== undefined && !vectors.get(item.embeddingModel)?.has(item.id))
    .map((item) => item.id);
  missing.forEach((id) => plan.unembed.add(id));
  if (missing.length > 0) {
    findings.push(finding('missing-vector', 'memories', missing, `${missing.length} memories have lost their vector`, true));
  }

  // Layer records: each must decode; turns and summaries must belong to a conversation.
  let records = 0;
  const sessions = new Set<string>();
  const owned: { table: string; id: string; sessionId: unknown }[] = [];
  for (const table of LAYER_TABLES) {
    const stored = (await db.table(table).toArray()) as StoredRow[];
    records += stored.length;
    const broken: string[] = [];
    for (const row of stored) {
      const key = String(row.id ?? row.seq);
      try {
        await codec.decodeRow(table, row);
      } catch {
        refuse(table, row, key, broken);
        // Kept, an unreadable conversation still owns its turns; removed, they go as orphans too.
        if (remove) continue;
      }
      if (table === 'sessions') sessions.add(key);
      if (table === 'turns' || table === 'summaries') owned.push({ table, id: key, sessionId: row.sessionId });
    }
    if (broken.length > 0) {
      findings.push(finding('unreadable-record', table, broken, `${broken.length} ${table} records cannot be read`, remove));
      if (remove) unreadableRemoval(table, broken);
    }
  }
  // Sealed settings (the sync settings): one that does not open is never used.
  const brokenSettings: string[] = [];
  for (const row of await db.settings.bulkGet([...SEALED_SETTINGS])) {
    if (row) await codec.decodeSetting(row).catch(() => brokenSettings.push(row.key));
  }
  if (brokenSettings.length > 0) {
    const detail = `${brokenSettings.length} settings cannot be read (damaged, or planted in clear)`;
    findings.push(finding('unreadable-record', 'settings', brokenSettings, detail, remove));
    if (remove) unreadableRemoval('settings', brokenSettings);
  }
  for (const [table, ids] of unsealed) {
    findings.push(
      finding(
        'unsealed-record',
        table,
        ids,
        `${ids.length} ${table} records of this encrypted profile were never sealed`,
        remove,
      ),
    );
    if (remove) unreadableRemoval(table, ids);
  }
  if (remove) unreadableRemoval('memories', unreadable);
  if (codec.encrypted && !(await db.settings.get(ENVELOPE_KEY))) {
    findings.push(
      finding('missing-envelope', 'settings', [ENVELOPE_KEY], 'The key envelope of this encrypted profile is missing', false),
    );
  }
  for (const table of ['turns', 'summaries']) {
    const stray = owned.filter((row) => row.table === table && !sessions.has(String(row.sessionId))).map((row) => row.id);
    if (stray.length === 0) continue;
    planRemoval(table, stray);
    findings.push(finding('orphan-record', table, stray, `${stray.length} ${table} belong to no conversation`, true));
  }

  return { items, vectors, findings, checked: { memories: rows.length, vectors: vectorCount, records }, plan };
}

/** Whether a block's bytes open and hold `ids.length × dim` finite values. */
async function chunkReadable(row: VectorChunkRow, codec: RecordCodec): Promise<boolean> {
  if (!Array.isArray(row.ids) || !Number.isInteger(row.dim) || row.dim <= 0 || !(row.data instanceof ArrayBuffer)) return false;
  try {
    const bytes = await codec.openBytes(row.data, chunkBinding(row));
    if (bytes.byteLength !== row.ids.length * row.dim * (row.encoding === 'f16' ? 2 : 4)) return false;
    const floats = toFloats(row, bytes);
    for (let slot = 0; slot < row.ids.length; slot++) {
      if (row.ids[slot] === null) continue;
      for (let i = slot * row.dim; i < (slot + 1) * row.dim; i++) if (!Number.isFinite(floats[i]!)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Whether the plan changes anything. */
export function hasRepairs(plan: RepairPlan): boolean {
  return plan.freeSlots.size > 0 || plan.dropChunks.length > 0 || plan.unembed.size > 0 || plan.deleteRecords.size > 0;
}

/** Runs the plan in one transaction: all of it lands or none does. */
export async function repairStorage(db: MnemeDatabase, codec: RecordCodec, plan: RepairPlan, at = Date.now()): Promise<void> {
  const audit = await Promise.all(plan.removed.map(({ table, id }) => codec.encodeRow('audit', removalEntry(table, id, at))));
  const tables = [db.memories, db.vectorChunks, db.settings, db.audit, ...[...plan.deleteRecords.keys()].map((t) => db.table(t))];
  await db.transaction('rw', [...new Set(tables)], async () => {
    for (const { model, chunk, slots } of plan.freeSlots.values()) {
      const row = await db.vectorChunks.get([model, chunk]);
      if (!row) continue;
      const floats = toFloats(row, await Dexie.waitFor(codec.openBytes(row.data, chunkBinding(row)))).slice();
      const ids = [...row.ids];
      for (const slot of slots) {
        ids[slot] = null;
        floats.fill(0, slot * row.dim, (slot + 1) * row.dim);
      }
      const data = await Dexie.waitFor(codec.sealBytes(encodeFloat16(floats), chunkBinding({ ...row, ids, encoding: 'f16' })));
      await db.vectorChunks.put({ ...row, ids, data, encoding: 'f16' });
    }
    if (plan.dropChunks.length > 0) await db.vectorChunks.bulkDelete(plan.dropChunks);
    for (const id of plan.unembed) {
      const row = await db.memories.get(id);
      if (!row || row.embeddingModel === undefined) continue;
      // Readable memories only: the clear fields are rewritten, the sealed part is kept as it is.
      const { embeddingModel: _model, ...rest } = row;
      await db.memories.put(rest);
    }
    for (const [table, ids] of plan.deleteRecords) await db.table(table).bulkDelete(ids);
    if (audit.length > 0) await db.audit.bulkAdd(audit as never[]);
    // Other clients' maps of vector slots are out of date now.
    const generation = ((await db.settings.get(GENERATION_KEY))?.value as number | undefined) ?? 0;
    await db.settings.put({ key: GENERATION_KEY, value: generation + 1 });
  });
}

/** The audit entry of an unreadable record removed at the user's request. */
function removalEntry(table: string, id: string, at: number): AuditEntry {
  return {
    at,
    actor: 'user',
    action: 'delete',
    entity: table === 'memories' ? 'memory' : table,
    entityId: id,
    reason: 'maintenance: removed as unreadable (damaged, or planted unsealed)',
  };
}
