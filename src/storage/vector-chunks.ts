/**
 * Vectors packed in chunk rows (see {@link VectorChunkRow}). The id → (chunk, slot) map lives in
 * memory; a generation counter in `settings` tells when another tab wrote, and the map is read
 * again. Every method runs inside the caller's rw transaction over `vectorChunks` and `settings`.
 */
import { Dexie } from 'dexie';
import { MemoryError } from '../sdk/errors';
import type { StoredVector, StoredVectorChunk } from '../core/ports';
import { VECTORS_PER_CHUNK, type MnemeDatabase, type VectorChunkRow } from './db';
import { chunkBinding, type RecordCodec } from './codec';
import { decodeFloat16, encodeFloat16 } from './float16';

export const GENERATION_KEY = 'vectors.generation';

type Slot = { chunk: number; slot: number };

interface ModelSlots {
  dim: number;
  slots: Map<string, Slot>;
  free: Slot[];
  /** Next never-used position. */
  end: Slot;
}

export class VectorChunks {
  readonly #db: MnemeDatabase;
  readonly #codec: RecordCodec;
  #models = new Map<string, ModelSlots>();
  /** The models that have chunk rows (a superset once rows are dropped); read again with the map. */
  #modelNames: Set<string> | undefined;
  #generation: number | undefined;

  constructor(db: MnemeDatabase, codec: RecordCodec) {
    this.#db = db;
    this.#codec = codec;
  }

  /** Every vector of `model`, as views onto the chunk buffers (no copy). */
  async load(model: string): Promise<StoredVector[]> {
    const vectors: StoredVector[] = [];
    for (const { ids, dimension, floats } of await this.loadChunks(model)) {
      const values = floats();
      ids.forEach((id, slot) => {
        if (id !== null) vectors.push({ id, model, vector: values.subarray(slot * dimension, (slot + 1) * dimension) });
      });
    }
    return vectors;
  }

  /**
   * Every chunk of `model` that opens and holds `ids.length × dim` values, as stored: float16 rows
   * are decoded only by whoever asks (an index decodes them into its own rows).
   */
  async loadChunks(model: string): Promise<StoredVectorChunk[]> {
    const rows = await this.#db.vectorChunks.where('model').equals(model).toArray();
    const chunks: StoredVectorChunk[] = [];
    for (const row of rows) {
      let values: Float32Array | Uint16Array;
      try {
        const bytes = await this.#codec.openBytes(row.data, chunkBinding(row));
        values = row.encoding === 'f16' ? new Uint16Array(bytes) : new Float32Array(bytes);
      } catch {
        continue; // damaged or moved: left out of search; maintenance.verify() reports and drops it
      }
      if (values.length !== row.ids.length * row.dim) continue; // cut short: the same
      const { ids, dim: dimension } = row;
      chunks.push(
        values instanceof Uint16Array
          ? { ids, dimension, half: values, floats: () => decodeFloat16(values) }
          : { ids, dimension, floats: () => values },
      );
    }
    return chunks;
  }

  /** Writes or replaces vectors. Call inside a rw transaction. */
  async upsert(vectors: StoredVector[]): Promise<void> {
    if (vectors.length === 0) return;
    await this.#sync();
    const byModel = new Map<string, StoredVector[]>();
    for (const v of vectors) {
      const list = byModel.get(v.model);
      if (list) list.push(v);
      else byModel.set(v.model, [v]);
    }
    // A memory re-embedded by another model leaves the old model's chunks.
    const freed = await this.#plan(
      vectors.map((v) => v.id),
      (model) => !byModel.has(model),
    );
    const placed: { model: string; at: Slot; id: string; vector: Float32Array; dim: number }[] = [];
    /** Chunks at or past a model's end before this write have no row yet: nothing to read. */
    const fresh = new Set<string>();
    for (const [model, list] of byModel) {
      const state = await this.#slotsOf(model, list[0]!.vector.length);
      this.#modelNames?.add(model);
      const { end } = state;
      for (const { id, vector } of list) {
        if (vector.length !== state.dim) {
          throw new MemoryError('INVALID_ARGUMENT', `Model ${model} stores ${state.dim}-d vectors, got ${vector.length}`);
        }
        const at = state.slots.get(id) ?? state.free.pop() ?? this.#advance(state);
        if (at.chunk > end.chunk || (at.chunk === end.chunk && end.slot === 0)) fresh.add(model + '\u0000' + at.chunk);
        state.slots.set(id, at);
        placed.push({ model, at, id, vector, dim: state.dim });
      }
    }
    // A bulk add fills new chunks only: no read, so its writes go out with the rows' (one round trip less).
    const rows = await this.#rows([
      ...freed.map((f) => f.model + '\u0000' + f.at.chunk),
      ...placed.map((p) => p.model + '\u0000' + p.at.chunk).filter((key) => !fresh.has(key)),
    ]);
    for (const { model, at, dim } of freed) clearSlot(rows.get(model + '\u0000' + at.chunk)!, at.slot, dim);
    // Each row grows once, to the last slot this write fills (growing it slot by slot copied the
    // chunk again for every vector: most of a bulk ingest's time).
    const lengths = new Map<string, { model: string; chunk: number; dim: number; length: number }>();
    for (const { model, at, dim } of placed) {
      const key = model + '\u0000' + at.chunk;
      const known = lengths.get(key);
      if (known) known.length = Math.max(known.length, at.slot + 1);
      else lengths.set(key, { model, chunk: at.chunk, dim, length: at.slot + 1 });
    }
    const views = new Map<string, Float32Array>();
    for (const [key, { model, chunk, dim, length }] of lengths) {
      const row = rows.get(key) ?? { model, chunk, dim, ids: [], data: new ArrayBuffer(0) };
      rows.set(key, row);
      if (row.ids.length < length) {
        const grown = new Float32Array(length * dim);
        grown.set(new Float32Array(row.data));
        row.data = grown.buffer;
        while (row.ids.length < length) row.ids.push(null);
      }
      views.set(key, new Float32Array(row.data));
    }
    for (const { model, at, id, vector, dim } of placed) {
      const key = model + '\u0000' + at.chunk;
      views.get(key)!.set(vector, at.slot * dim);
      rows.get(key)!.ids[at.slot] = id;
    }
    await this.#commit(rows);
  }

  /** Frees the slots of `ids` in every model. Call inside a rw transaction. */
  async remove(ids: string[]): Promise<void> {
    await this.#sync();
    const freed = await this.#plan(ids, () => true);
    const rows = await this.#rows(freed.map((f) => f.model + '\u0000' + f.at.chunk));
    for (const { model, at, dim } of freed) clearSlot(rows.get(model + '\u0000' + at.chunk)!, at.slot, dim);
    await this.#commit(rows);
  }

  /** Takes the slots of `ids` out of the maps of the models `which` selects; returns them. */
  async #plan(ids: string[], which: (model: string) => boolean): Promise<{ model: string; at: Slot; dim: number }[]> {
    this.#modelNames ??= new Set((await this.#db.vectorChunks.orderBy('model').uniqueKeys()) as string[]);
    const models = [...this.#modelNames].filter(which);
    const freed: { model: string; at: Slot; dim: number }[] = [];
    for (const model of models) {
      const state = await this.#slotsOf(model);
      for (const id of ids) {
        const at = state.slots.get(id);
        if (!at) continue;
        state.slots.delete(id);
        state.free.push(at);
        freed.push({ model, at, dim: state.dim });
      }
    }
    return freed;
  }

  /** The chunk rows with these keys (`model\0chunk`), copied so edits stay local until commit. */
  async #rows(keys: string[]): Promise<Map<string, VectorChunkRow>> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return new Map();
    const stored = await this.#db.vectorChunks.bulkGet(
      unique.map((key) => {
        const [model, chunk] = key.split('\u0000') as [string, string];
        return [model, Number(chunk)] as [string, number];
      }),
    );
    const rows = new Map<string, VectorChunkRow>();
    for (const [i, row] of stored.entries()) {
      // Decryption is not an IndexedDB request: waitFor keeps the transaction open meanwhile.
      if (!row) continue;
      // Working rows hold float32 (no `encoding`); they are written back as float16.
      const { encoding: _stored, ...rest } = row;
      const floats = toFloats(row, await this.#open(row));
      rows.set(unique[i]!, { ...rest, ids: [...row.ids], data: floats.slice().buffer });
    }
    return rows;
  }

  /** Forgets the in-memory map (after a failed transaction, or when another tab wrote). */
  invalidate(): void {
    this.#models.clear();
    this.#modelNames = undefined;
    this.#generation = undefined;
  }

  async #sync(): Promise<void> {
    const stored = ((await this.#db.settings.get(GENERATION_KEY))?.value as number | undefined) ?? 0;
    if (stored !== this.#generation) {
      this.#models.clear();
      this.#modelNames = undefined;
      this.#generation = stored;
    }
  }

  async #commit(touched: Map<string, VectorChunkRow>): Promise<void> {
    if (touched.size === 0) return;
    const rows = [...touched.values()];
    // An emptied chunk is dropped unless it is the model's growing end.
    const dropped = rows.filter(
      (row) => row.ids.every((id) => id === null) && this.#models.get(row.model)?.end.chunk !== row.chunk,
    );
    const kept = rows.filter((row) => !dropped.includes(row));
    const encoded = kept.map((row) => ({ ...row, encoding: 'f16' as const, data: encodeFloat16(new Float32Array(row.data)) }));
    const sealed = await this.#seal(encoded);
    for (const row of dropped) {
      const state = this.#models.get(row.model);
      if (state) state.free = state.free.filter((at) => at.chunk !== row.chunk);
    }
    this.#generation = (this.#generation ?? 0) + 1;
    // Issued together: the transaction runs them in order, and waiting for each cost a round trip.
    await Promise.all([
      this.#db.vectorChunks.bulkPut(sealed),
      dropped.length > 0
        ? this.#db.vectorChunks.bulkDelete(dropped.map((row) => [row.model, row.chunk] as [string, number]))
        : undefined,
      this.#db.settings.put({ key: GENERATION_KEY, value: this.#generation }),
    ]);
  }

  /**
   * Sealed chunk rows. Encryption is not an IndexedDB request: waitFor keeps the transaction open
   * meanwhile (its keep-alive read waits behind every request issued before it, so the plain
   * codec, which seals nothing, does not wait).
   */
  #seal(rows: VectorChunkRow[]): Promise<VectorChunkRow[]> | VectorChunkRow[] {
    if (!this.#codec.encrypted) return rows;
    return Dexie.waitFor(
      Promise.all(rows.map(async (row) => ({ ...row, data: await this.#codec.sealBytes(row.data, chunkBinding(row)) }))),
    );
  }

  /** A stored chunk's bytes, opened (see {@link #seal} for why the plain codec does not wait). */
  #open(row: VectorChunkRow): Promise<ArrayBuffer> | ArrayBuffer {
    return this.#codec.encrypted ? Dexie.waitFor(this.#codec.openBytes(row.data, chunkBinding(row))) : row.data;
  }

  async #slotsOf(model: string, dim?: number): Promise<ModelSlots> {
    let state = this.#models.get(model);
    if (state) return state;
    const rows = await this.#db.vectorChunks.where('model').equals(model).toArray();
    state = { dim: rows[0]?.dim ?? dim ?? 0, slots: new Map(), free: [], end: { chunk: 0, slot: 0 } };
    for (const row of rows) {
      row.ids.forEach((id, slot) =>
        id === null ? state!.free.push({ chunk: row.chunk, slot }) : state!.slots.set(id, { chunk: row.chunk, slot }),
      );
      const after =
        row.ids.length === VECTORS_PER_CHUNK ? { chunk: row.chunk + 1, slot: 0 } : { chunk: row.chunk, slot: row.ids.length };
      if (after.chunk > state.end.chunk || (after.chunk === state.end.chunk && after.slot > state.end.slot)) state.end = after;
    }
    this.#models.set(model, state);
    return state;
  }

  #advance(state: ModelSlots): Slot {
    const at = { ...state.end };
    state.end = at.slot + 1 === VECTORS_PER_CHUNK ? { chunk: at.chunk + 1, slot: 0 } : { chunk: at.chunk, slot: at.slot + 1 };
    return at;
  }
}

function clearSlot(row: VectorChunkRow, slot: number, dim: number): void {
  new Float32Array(row.data).fill(0, slot * dim, (slot + 1) * dim);
  row.ids[slot] = null;
}

/** A chunk's values as float32, whatever encoding it was stored in. */
export function toFloats(row: Pick<VectorChunkRow, 'encoding'>, bytes: ArrayBuffer): Float32Array {
  return row.encoding === 'f16' ? decodeFloat16(bytes) : new Float32Array(bytes);
}
