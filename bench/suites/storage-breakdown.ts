/**
 * Where persisting memories spends its time and bytes: each part the ingest writes (the memory
 * rows, the audit entries, the vector chunks, the lexical index, the transaction commits) done on
 * its own, on a fresh database with the real schema, in the same batches as `addMany`. A part's
 * time is its wall time alone; the parts overlap little, so they add up to about the whole.
 */
import { openDatabase, VECTORS_PER_CHUNK, type AuditRow, type VectorChunkRow } from '../../src/storage/db';
import { encodeFloat16 } from '../../src/storage/float16';
import { createLexicalIndex } from '../../src/storage/lexical/minisearch-index';
import { bulkCreateAudit, memoryAudit } from '../../src/core/semantic/memory-audit';
import { createId } from '../../src/core/ids';
import type { MemoryItem } from '../../src/sdk/types';
import { sentences, unitVectors } from '../data';

export interface BreakdownPart {
  part: string;
  /** Per memory. */
  microseconds: number;
  /** Per memory, from the origin's usage before and after (null when the estimate did not move). */
  bytes: number | null;
}

const BATCH = 1024;

async function usage(): Promise<number> {
  return (await navigator.storage.estimate()).usage ?? 0;
}

export async function runStorageBreakdown(n: number, dimension: number): Promise<BreakdownPart[]> {
  const texts = sentences(n, 5);
  const vectors = unitVectors(n, dimension, 6);
  const model = 'bench/given-vectors';
  const now = Date.now();
  const items: MemoryItem[] = texts.map((text, i) => ({
    id: createId(),
    text,
    kind: 'note',
    importance: 0.5,
    pinned: false,
    createdAt: now + i / 1000,
    updatedAt: now,
    validFrom: now,
    metadata: {},
    embeddingModel: model,
  }));
  const batches = Math.ceil(n / BATCH);
  const slice = <T>(list: T[], b: number) => list.slice(b * BATCH, (b + 1) * BATCH);
  const parts: BreakdownPart[] = [];

  /** Runs `write` for every batch in its own transaction on a fresh database; time and bytes per memory. */
  const measure = async (part: string, write: (db: ReturnType<typeof openDatabase>, b: number) => Promise<unknown>) => {
    const name = `mneme-breakdown-${Date.now()}-${parts.length}`;
    const db = openDatabase(name);
    await db.open();
    const before = await usage();
    const start = performance.now();
    try {
      for (let b = 0; b < batches; b++) {
        await db.transaction('rw', db.memories, db.vectorChunks, db.settings, db.audit, () => write(db, b));
      }
    } catch (error) {
      const { name: kind, message } = error as Error;
      throw new Error(`breakdown, ${part}: ${kind} ${message}`);
    }
    const elapsed = performance.now() - start;
    const after = await usage();
    db.close();
    await db.delete();
    parts.push({ part, microseconds: (elapsed * 1000) / n, bytes: after > before ? (after - before) / n : null });
  };

  await measure('commit (one rw transaction per batch, one small write)', (db) => db.settings.put({ key: 'x', value: 1 }));
  await measure('memory rows', (db, b) => db.memories.bulkPut(slice(items, b)));
  await measure('audit, one entry per memory (before)', (db, b) =>
    db.audit.bulkAdd(
      slice(items, b).map((item) => memoryAudit(now, 'user', 'create', item.id, undefined, item) as unknown as AuditRow),
    ),
  );
  await measure('audit, one entry per batch (now)', (db, b) => {
    const ids = slice(items, b).map((item) => item.id);
    return db.audit.add(bulkCreateAudit(now, 'user', ids, createId()) as unknown as AuditRow);
  });
  await measure('vector chunks (float16, 256 a row)', (db, b) => {
    const rows: VectorChunkRow[] = [];
    for (let at = b * BATCH; at < Math.min(n, (b + 1) * BATCH); at += VECTORS_PER_CHUNK) {
      const ids = items.slice(at, at + VECTORS_PER_CHUNK).map((item) => item.id);
      const packed = new Float32Array(ids.length * dimension);
      ids.forEach((_, slot) => packed.set(vectors[at + slot]!, slot * dimension));
      rows.push({ model, chunk: at / VECTORS_PER_CHUNK, dim: dimension, ids, data: encodeFloat16(packed), encoding: 'f16' });
    }
    return db.vectorChunks.bulkPut(rows);
  });

  const lexical = createLexicalIndex();
  let start = performance.now();
  for (const item of items) lexical.upsert(item.id, item.text);
  parts.push({
    part: 'lexical index, queued (on the write path)',
    microseconds: ((performance.now() - start) * 1000) / n,
    bytes: null,
  });
  start = performance.now();
  await lexical.settled();
  parts.push({
    part: 'lexical index, indexed (in slices after the writes)',
    microseconds: ((performance.now() - start) * 1000) / n,
    bytes: null,
  });
  start = performance.now();
  const snapshot = await lexical.snapshot();
  await measure('lexical snapshot (written once)', (db, b) =>
    b === 0 ? db.settings.put({ key: 'lexical.snapshot', value: snapshot }) : Promise.resolve(),
  );
  parts[parts.length - 1]!.microseconds += ((performance.now() - start) * 1000) / n;
  return parts;
}
