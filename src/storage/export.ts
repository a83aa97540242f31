/**
 * Export of one profile to a single JSON text (optionally sealed with a passphrase), and import
 * of such a text: parsed and validated whole first, then written in one transaction, so a bad
 * file changes nothing. Vectors made by another embedding model are not mixed in: their memories
 * are marked for re-embedding instead.
 */
import { MemoryError } from '../sdk/errors';
import type { ExportOptions, ImportReport, MemoryItem } from '../sdk/types';
import type { StoredVector } from '../core/ports';
import type { AuditRow, MnemeDatabase } from './db';
import { chunkBinding, type RecordCodec, type StoredRow } from './codec';
import { VectorChunks, toFloats } from './vector-chunks';
import { createCipher } from './crypto/cipher';
import { createEnvelope, openEnvelope } from './crypto/envelope';
import { fromBase64, toBase64 } from './bytes';
import * as schema from './export-schema';

/**
 * Plaintext leaves an encrypted profile only on purpose: with a passphrase (a sealed file) or an
 * explicit `plaintext: true`.
 */
export function checkExportChoice(encrypted: boolean, options: ExportOptions): void {
  if (encrypted && options.passphrase === undefined && options.plaintext !== true) {
    throw new MemoryError(
      'PASSPHRASE_REQUIRED',
      'This profile is encrypted: give a passphrase to seal the export, or plaintext: true to export it in clear. Nothing was exported.',
    );
  }
}

export async function exportProfile(
  db: MnemeDatabase,
  codec: RecordCodec,
  profile: { id: string; name?: string },
  now: number,
  passphrase?: string,
): Promise<string> {
  const { memories, vectors, tables } = await db.transaction('r', db.tables, async () => ({
    memories: await db.memories.toArray(),
    vectors: await db.vectorChunks.toArray(),
    tables: Object.fromEntries(await Promise.all(schema.LAYER_TABLES.map(async (t) => [t, await db.table(t).toArray()]))),
  }));
  for (const table of schema.LAYER_TABLES) {
    tables[table] = await Promise.all((tables[table] as StoredRow[]).map((row) => codec.decodeRow<object>(table, row)));
  }
  const file: schema.ExportFile = {
    format: schema.EXPORT_FORMAT,
    version: schema.EXPORT_VERSION,
    exportedAt: now,
    profile,
    memories: await Promise.all(memories.map((row) => codec.decodeItem(row))),
    vectors: [],
    tables,
  };
  for (const chunk of vectors) {
    const floats = toFloats(chunk, await codec.openBytes(chunk.data, chunkBinding(chunk)));
    chunk.ids.forEach((id, slot) => {
      if (id === null) return;
      const bytes = new Uint8Array(floats.buffer, slot * chunk.dim * 4, chunk.dim * 4);
      file.vectors.push({ id, model: chunk.model, dim: chunk.dim, data: toBase64(bytes) });
    });
  }
  const json = JSON.stringify(file);
  if (passphrase === undefined) return json;
  const { envelope, key } = await createEnvelope(passphrase);
  const sealed: schema.EncryptedExportFile = {
    format: schema.ENCRYPTED_EXPORT_FORMAT,
    version: schema.EXPORT_VERSION,
    kdf: envelope.kdf,
    iterations: envelope.iterations,
    salt: toBase64(new Uint8Array(envelope.salt)),
    wrappedKey: toBase64(new Uint8Array(envelope.wrappedKey)),
    // One fresh key per file, one value: sealed as export files always were (format 1), so older versions read it.
    data: toBase64(new Uint8Array(await createCipher({ ...key, format: 1 }).seal(new TextEncoder().encode(json)))),
  };
  return JSON.stringify(sealed);
}

/** Reads an export text (decrypting it with `passphrase` when sealed) and validates all of it. */
export async function parseExport(text: unknown, passphrase?: string): Promise<schema.ExportFile> {
  if (typeof text !== 'string') schema.invalidImport('expected the text of an export file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    schema.invalidImport('it is not JSON');
  }
  if ((value as { format?: unknown } | null)?.format !== schema.ENCRYPTED_EXPORT_FORMAT) return schema.validateExport(value);
  const sealed = schema.validateEncryptedWrapper(value);
  if (passphrase === undefined) {
    throw new MemoryError(
      'PASSPHRASE_REQUIRED',
      'This export is encrypted: give its passphrase to import it. Nothing was changed.',
    );
  }
  const key = await openEnvelope(
    {
      version: 1,
      kdf: sealed.kdf,
      iterations: sealed.iterations,
      salt: fromBase64(sealed.salt).buffer,
      wrappedKey: fromBase64(sealed.wrappedKey).buffer,
    },
    passphrase,
  );
  // The passphrase fits (its key unwrapped), so a failing tag means the data itself was altered.
  const plain = await createCipher({ ...key, format: 1 })
    .open(fromBase64(sealed.data).buffer)
    .catch(() => schema.invalidImport('the encrypted data is damaged or was altered'));
  return parseExport(new TextDecoder().decode(plain));
}

/**
 * Writes a validated export into the profile in one transaction. `replace` empties the profile
 * first; `merge` keeps what is there and lets imported records replace those with the same id.
 */
export async function importProfile(
  db: MnemeDatabase,
  codec: RecordCodec,
  file: schema.ExportFile,
  mode: 'merge' | 'replace',
  embeddingModel: string | undefined,
  embeddingDimension?: number,
): Promise<ImportReport> {
  const usable = new Map<string, StoredVector>();
  for (const entry of file.vectors) {
    if (entry.model !== embeddingModel) continue;
    usable.set(entry.id, { id: entry.id, model: entry.model, vector: new Float32Array(fromBase64(entry.data).buffer) });
  }
  const items: MemoryItem[] = file.memories.map(({ embeddingModel: _model, ...rest }) => {
    // Optional fields the file leaves out stay absent (not `undefined`).
    const item = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)) as unknown as MemoryItem;
    if (usable.has(item.id)) item.embeddingModel = embeddingModel!;
    return item;
  });
  const dims = new Set([...usable.values()].map((v) => v.vector.length));
  if (dims.size > 1) schema.invalidImport(`vectors of ${embeddingModel} have different sizes (${[...dims].join(', ')})`);
  // Vectors of the right model but the wrong size would break its index (or, in `replace` mode,
  // quietly become its new size): the model's size is known once it loaded, or from stored chunks.
  const expected =
    embeddingDimension ??
    (embeddingModel === undefined ? undefined : (await db.vectorChunks.where('model').equals(embeddingModel).first())?.dim);
  const [dim] = dims;
  if (dim !== undefined && expected !== undefined && dim !== expected) {
    schema.invalidImport(`vectors of ${embeddingModel} hold ${dim} numbers, but the model makes ${expected}`);
  }
  const rows = await Promise.all(items.map((item) => codec.encodeItem(item)));
  const layerRows = Object.fromEntries(
    await Promise.all(
      schema.LAYER_TABLES.filter((t) => t !== 'audit').map(
        async (t) => [t, await Promise.all((file.tables[t] ?? []).map((row) => codec.encodeRow(t, row)))] as const,
      ),
    ),
  );
  const auditRows = await auditToAppend(db, codec, (file.tables.audit ?? []) as AuditEntryRow[], mode);
  const reembed = items.filter((item) => item.embeddingModel === undefined).map((item) => item.id);

  // What the profile already holds tells the person what the import brings: new, the same, or changed.
  // Read (and decrypted) before the write transaction, which must not wait on anything but IndexedDB.
  let added = items.length;
  let unchanged = 0;
  if (mode === 'merge') {
    const held = await db.memories.bulkGet(items.map((item) => item.id));
    const known = await Promise.all(held.map((row) => (row ? codec.decodeItem(row) : undefined)));
    added = known.filter((item) => item === undefined).length;
    unchanged = known.filter((item, i) => item !== undefined && sameContent(item, items[i]!)).length;
  }
  await db.transaction('rw', db.tables, async () => {
    const chunks = new VectorChunks(db, codec);
    if (mode === 'replace') {
      await Promise.all([db.memories.clear(), db.vectorChunks.clear(), ...schema.LAYER_TABLES.map((t) => db.table(t).clear())]);
    }
    await db.memories.bulkPut(rows);
    if (reembed.length > 0 && mode === 'merge') await chunks.remove(reembed);
    await chunks.upsert([...usable.values()]);
    for (const table of schema.LAYER_TABLES) {
      if (layerRows[table]?.length) await db.table(table).bulkPut(layerRows[table]!);
    }
    // Never `put` by sequence number: that would overwrite the profile's own entries.
    if (auditRows.length > 0) await db.audit.bulkAdd(auditRows as unknown as AuditRow[]);
  });
  return {
    mode,
    memories: items.length,
    added,
    unchanged,
    updated: items.length - added - unchanged,
    vectors: usable.size,
    needReembedding: reembed.length,
    tables: Object.fromEntries(schema.LAYER_TABLES.map((t) => [t, file.tables[t]?.length ?? 0])),
  };
}

type AuditEntryRow = { seq?: number; entityId: string } & Record<string, unknown>;

/**
 * The file's audit entries as rows to add at the end of the trail (new sequence numbers, the
 * file's order). In a merge, an entry the profile already holds (the same content) is not added
 * twice, so importing one backup again leaves the trail as it was.
 */
async function auditToAppend(
  db: MnemeDatabase,
  codec: RecordCodec,
  entries: AuditEntryRow[],
  mode: 'merge' | 'replace',
): Promise<StoredRow[]> {
  const ordered = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry.seq ?? Infinity) - (b.entry.seq ?? Infinity) || a.index - b.index)
    .map(({ entry: { seq: _seq, ...rest } }) => rest);
  const rows = await Promise.all(ordered.map((entry) => codec.encodeRow('audit', entry)));
  if (mode === 'replace' || rows.length === 0) return rows;
  const entityIds = [...new Set(rows.map((row) => (row as { entityId: string }).entityId))];
  const held = await db.audit.where('entityId').anyOf(entityIds).toArray();
  const known = new Set(
    await Promise.all(
      // An entry that does not open (damaged or altered) matches nothing: verify() reports it.
      held.map(async ({ seq: _seq, ...row }) =>
        codec.decodeRow<object>('audit', row as StoredRow).then(
          (entry) => JSON.stringify(stable(entry)),
          () => '',
        ),
      ),
    ),
  );
  return rows.filter((_row, i) => {
    const key = JSON.stringify(stable(ordered[i]));
    if (known.has(key)) return false;
    known.add(key);
    return true;
  });
}

/** The fields a person sees of a memory; bookkeeping (last use, vector model) does not count as a change. */
function sameContent(a: MemoryItem, b: MemoryItem): boolean {
  const seen = (item: MemoryItem) =>
    JSON.stringify([
      item.text,
      item.kind,
      item.importance,
      item.pinned,
      item.validFrom,
      item.validTo ?? null,
      item.archivedAt ?? null,
      stable(item.metadata),
    ]);
  return seen(a) === seen(b);
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([x], [y]) => x.localeCompare(y))
      .map(([key, inner]) => [key, stable(inner)]),
  );
}
