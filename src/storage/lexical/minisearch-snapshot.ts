/**
 * The lexical index's saved form: MiniSearch's own state in flat arrays, read back straight into a
 * MiniSearch (whose `loadJS` would first take every posting list as an object with string keys,
 * then turn each key back into a number: most of a cold start's lexical load).
 *
 * Shape (JSON): `{ analyzer, format, documentCount, nextId, fieldIds, averageFieldLength, dirtCount,
 * documents: [short, id, …], lengths: [short, length per field…, …], terms: [[term, fieldId,
 * [short, frequency, …], …], …] }`. Another analyser or format, or a snapshot that does not read,
 * gives undefined: the caller starts empty and re-indexes every memory.
 */
import MiniSearch, { type Options } from 'minisearch';

/** Bumped whenever the shape changes (1: MiniSearch's `toJSON` under `index`). */
export const SNAPSHOT_FORMAT = 2;

/** What MiniSearch keeps private and the snapshot reads and fills. */
interface State {
  _documentCount: number;
  _nextId: number;
  _fieldIds: Record<string, number>;
  _avgFieldLength: number[];
  _dirtCount: number;
  _documentIds: Map<number, unknown>;
  _idToShortId: Map<unknown, number>;
  _fieldLength: Map<number, number[]>;
  _index: Iterable<[string, Map<number, Map<number, number>>]> & {
    set(term: string, fields: Map<number, Map<number, number>>): void;
  };
}

interface Saved {
  analyzer: number;
  format: number;
  documentCount: number;
  nextId: number;
  fieldIds: Record<string, number>;
  averageFieldLength: number[];
  dirtCount: number;
  documents: (number | string)[];
  lengths: number[];
  terms: (string | number | number[])[][];
}

/** The index as a snapshot string (MiniSearch stores no fields here: only ids, lengths and postings). */
export function saveIndex(search: MiniSearch<never>, analyzer: number): string {
  const state = search as unknown as State;
  const documents: (number | string)[] = [];
  for (const [short, id] of state._documentIds) documents.push(short, id as string);
  const lengths: number[] = [];
  for (const [short, perField] of state._fieldLength) lengths.push(short, ...perField);
  const terms: Saved['terms'] = [];
  for (const [term, fields] of state._index) {
    const entry: Saved['terms'][number] = [term];
    for (const [fieldId, postings] of fields) {
      const flat: number[] = [];
      for (const [short, frequency] of postings) flat.push(short, frequency);
      entry.push(fieldId, flat);
    }
    terms.push(entry);
  }
  const saved: Saved = {
    analyzer,
    format: SNAPSHOT_FORMAT,
    documentCount: state._documentCount,
    nextId: state._nextId,
    fieldIds: state._fieldIds,
    averageFieldLength: state._avgFieldLength,
    dirtCount: state._dirtCount,
    documents,
    lengths,
    terms,
  };
  return JSON.stringify(saved);
}

/**
 * A MiniSearch restored from {@link saveIndex}'s string; undefined for another analyser or format,
 * or a snapshot missing a part. Throws when it does not read.
 */
export function loadIndex<T>(snapshot: string, analyzer: number, options: Options<T>): MiniSearch<T> | undefined {
  const saved = JSON.parse(snapshot) as Partial<Saved> | null;
  if (saved?.analyzer !== analyzer || saved.format !== SNAPSHOT_FORMAT) return undefined;
  const { documents, lengths, terms, fieldIds } = saved as Saved;
  const whole = [documents, lengths, terms].every(Array.isArray) && documents.length === 2 * saved.documentCount!;
  if (!whole) return undefined;
  // MiniSearch checks the header and sets its counters; the maps are filled below, as loadJS would.
  const search = MiniSearch.loadJS<T>(
    {
      documentCount: saved.documentCount,
      nextId: saved.nextId,
      fieldIds,
      averageFieldLength: saved.averageFieldLength,
      dirtCount: saved.dirtCount,
      documentIds: {},
      fieldLength: {},
      storedFields: {},
      index: [],
      serializationVersion: 2,
    } as never,
    options,
  );
  const state = search as unknown as State;
  for (let at = 0; at < documents.length; at += 2) {
    const [short, id] = [documents[at] as number, documents[at + 1]!];
    state._documentIds.set(short, id);
    state._idToShortId.set(id, short);
  }
  const stride = 1 + Object.keys(fieldIds).length;
  for (let at = 0; at < lengths.length; at += stride) state._fieldLength.set(lengths[at]!, lengths.slice(at + 1, at + stride));
  for (const entry of terms) {
    const fields = new Map<number, Map<number, number>>();
    for (let at = 1; at < entry.length; at += 2) {
      const flat = entry[at + 1] as number[];
      const postings = new Map<number, number>();
      for (let i = 0; i < flat.length; i += 2) postings.set(flat[i]!, flat[i + 1]!);
      fields.set(entry[at] as number, postings);
    }
    state._index.set(entry[0] as string, fields);
  }
  return search;
}
