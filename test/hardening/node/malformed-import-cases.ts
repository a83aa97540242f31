/**
 * The cases of the malformed-import suite: each one random change to a real export (truncated,
 * invalid JSON, a wrong type at a random path, wrong vector sizes, wrong or future versions,
 * duplicate ids, missing and extra fields, sealed files without or with a wrong passphrase or
 * damaged, not text at all, a 50 MB string), or a valid but odd file, with the error it must meet
 * and what that error's message must name.
 */
import type { Random } from '../harness';

/** The passphrase of the sealed export the cases start from. */
export const PASSPHRASE = 'sealed export passphrase';
const BIG = 50 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const clone = <T>(value: T): T => structuredClone(value);

/** Every path to a value in the file (objects and arrays included), e.g. ['tables','turns',3,'seq']. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function parentOf(file: Json, path: (string | number)[]): { parent: Json[] | JsonObject; key: string | number } {
  let node = file as Json[] | JsonObject;
  for (const part of path.slice(0, -1)) node = (node as Record<string | number, Json>)[part] as Json[] | JsonObject;
  return { parent: node, key: path.at(-1)! };
}

const describePath = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

/** A value of another JSON type than `value`. */
function wrongType(random: Random, value: Json): Json {
  const kinds: [string, Json][] = [
    ['string', random.pick(['', 'x', 'not a number', '2024-01-01'])],
    ['number', random.pick([0, -1, 1.5, 1e308, 42])],
    ['boolean', random.chance(0.5)],
    ['null', null],
    ['array', random.pick([[], [1, 2], ['a']])],
    ['object', random.pick([{}, { a: 1 }])],
  ];
  const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  return random.pick(kinds.filter(([k]) => k !== kind))[1];
}

export interface Case {
  label: string;
  text: unknown;
  passphrase?: string;
  /** The error code expected, or `ok` for a valid file. */
  expect: 'INVALID_IMPORT' | 'WRONG_PASSPHRASE' | 'PASSPHRASE_REQUIRED' | 'ok';
  /** What the message must name. */
  names?: RegExp;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathPattern = (path: (string | number)[]) => new RegExp(escape(describePath(path)));

/** One random case made from the real export `good` (parsed) and its sealed twin. */
export function makeCase(random: Random, good: JsonObject, plain: string, sealed: string, other: string, big: boolean): Case {
  const file = clone(good);
  const memories = file.memories as JsonObject[];
  const vectors = file.vectors as JsonObject[];
  const tables = file.tables as Record<string, JsonObject[]>;
  const rowsOf = () => {
    const all: [string, number][] = [['memories', -1]];
    for (const [name, rows] of Object.entries(tables)) rows.forEach((_, i) => all.push([name, i]));
    memories.forEach((_, i) => all.push(['memories', i]));
    return all.filter(([, i]) => i >= 0);
  };
  const rowPath = ([table, i]: [string, number]) => (table === 'memories' ? ['memories', i] : ['tables', table, i]);
  const rowAt = (path: (string | number)[]) => {
    const { parent, key } = parentOf(file, path);
    return (parent as Record<string | number, Json>)[key] as JsonObject;
  };
  const kind = big
    ? 'big-string'
    : random.pick([
        'truncated',
        'invalid-json',
        'wrong-type',
        'wrong-type',
        'wrong-type',
        'vector-size',
        'version',
        'duplicate-id',
        'missing-field',
        'missing-field',
        'extra-field',
        'extra-field',
        'sealed-no-passphrase',
        'sealed-wrong-passphrase',
        'sealed-damaged',
        'not-text',
        'valid-empty',
        'valid-other-profile',
      ]);
  switch (kind) {
    case 'truncated': {
      const at = random.int(0, plain.length - 2);
      return { label: `${kind} at ${at}`, text: plain.slice(0, at), expect: 'INVALID_IMPORT', names: /not JSON/ };
    }
    case 'invalid-json': {
      // A stray character inside a string can leave valid JSON: try places until it does not.
      for (;;) {
        const at = random.int(0, plain.length - 1);
        const junk = random.pick(['{', '}', ',', ']', 'undefined', 'NaN', "'", '\\', '\u0000', '"']);
        const text = plain.slice(0, at) + junk + plain.slice(at);
        try {
          JSON.parse(text);
        } catch {
          return { label: `${kind} ${JSON.stringify(junk)} at ${at}`, text, expect: 'INVALID_IMPORT', names: /not JSON/ };
        }
      }
    }
    case 'wrong-type': {
      const all = paths(file);
      const path = random.pick(all);
      const { parent, key } = parentOf(file, path);
      const before = (parent as Record<string | number, Json>)[key]!;
      const after = wrongType(random, before);
      (parent as Record<string | number, Json>)[key] = after;
      return {
        label: `${kind} ${describePath(path)}: ${JSON.stringify(before).slice(0, 40)} → ${JSON.stringify(after)}`,
        text: JSON.stringify(file),
        expect: freeForm(path, after) ? 'ok' : 'INVALID_IMPORT',
        names: pathPattern(path.length > 1 && typeof path.at(-1) === 'number' ? path.slice(0, -1) : path.slice(0, 2)),
      };
    }
    case 'vector-size': {
      const i = random.int(0, vectors.length - 1);
      const v = vectors[i]!;
      const how = random.pick(['dim', 'data-short', 'data-long', 'not-base64', 'all-other-dim', 'one-other-dim']);
      if (how === 'dim') v.dim = random.pick([1, 383, 385, 768, 4096, 0, -3, 1.5, 5000]);
      if (how === 'data-short') v.data = (v.data as string).slice(0, (v.data as string).length - 4 * random.int(1, 10));
      if (how === 'data-long') v.data = (v.data as string) + 'AAAA'.repeat(random.int(1, 10));
      if (how === 'not-base64') v.data = `${(v.data as string).slice(0, 8)}!?*${(v.data as string).slice(11)}`;
      const resize = (entry: JsonObject, dim: number) => {
        entry.dim = dim;
        entry.data = Buffer.from(new Float32Array(dim).fill(0.5).buffer).toString('base64');
      };
      // Consistent but of a size the profile's embedder does not make: the index must not take them.
      const dim = random.pick([1, 8, 100, 383, 768]);
      if (how === 'all-other-dim') vectors.forEach((entry) => resize(entry, dim));
      if (how === 'one-other-dim') resize(v, dim);
      return { label: `${kind} ${how} vectors[${i}]`, text: JSON.stringify(file), expect: 'INVALID_IMPORT', names: /vectors/ };
    }
    case 'version': {
      const where = random.pick(['version', 'format']);
      file[where] =
        where === 'version'
          ? random.pick([0, 2, 3, 99, -1, 1.5, '1', 'v2'])
          : random.pick(['mneme-export-v2', 'Mneme-Export', '', 'other']);
      return {
        label: `${kind} ${where}=${JSON.stringify(file[where])}`,
        text: JSON.stringify(file),
        expect: 'INVALID_IMPORT',
        names: new RegExp(where),
      };
    }
    case 'duplicate-id': {
      const candidates = rowsOf().filter(([table, i]) => table !== 'audit' && rowAt(rowPath([table, i])).id !== undefined);
      const [table, i] = random.pick(candidates);
      const path = rowPath([table, i]);
      const list = parentOf(file, path).parent as JsonObject[];
      const copy = clone(list[i]!);
      const free = ['text', 'title', 'content', 'value', 'task'].find((k) => typeof copy[k] === 'string');
      if (free && random.chance(0.5)) copy[free] = 'changed';
      list.splice(random.int(0, list.length), 0, copy);
      return {
        label: `${kind} ${describePath(path)}`,
        text: JSON.stringify(file),
        expect: 'INVALID_IMPORT',
        names: /twice|duplicate/,
      };
    }
    case 'missing-field':
    case 'extra-field': {
      const pick = random.chance(0.2) ? ['file'] : random.pick(rowsOf()).map(String);
      const path = pick[0] === 'file' ? [] : rowPath([pick[0]!, Number(pick[1])]);
      const row = path.length === 0 ? file : rowAt(path);
      if (kind === 'extra-field') {
        const name = random.pick(['evil', 'extra', '__proto__x', 'constructor', 'sealed', 'Text']);
        row[name] = random.pick(['surprise', 1, true, null, { nested: 1 }]);
        return {
          label: `${kind} ${describePath(path) || 'file'}.${name}`,
          text: JSON.stringify(file),
          expect: 'INVALID_IMPORT',
          names: new RegExp(`${path.length ? escape(describePath(path)) : ''}|${name}`),
        };
      }
      const required = Object.keys(row).filter((k) => !OPTIONAL.has(k));
      const name = random.pick(required);
      delete row[name];
      return {
        label: `${kind} ${describePath(path) || 'file'}.${name}`,
        text: JSON.stringify(file),
        expect: 'INVALID_IMPORT',
        names: new RegExp(`${escape(describePath([...path, name]))}`),
      };
    }
    case 'sealed-no-passphrase':
      return { label: kind, text: sealed, expect: 'PASSPHRASE_REQUIRED', names: /encrypted|passphrase/ };
    case 'sealed-wrong-passphrase': {
      const passphrase = random.pick([
        'wrong passphrase',
        '',
        'short',
        PASSPHRASE.slice(0, 7),
        PASSPHRASE.slice(0, -1),
        `${PASSPHRASE} `,
        PASSPHRASE.toUpperCase(),
        'x'.repeat(random.int(8, 64)),
        Array.from({ length: random.int(8, 30) }, () => String.fromCharCode(random.int(33, 0x2fff))).join(''),
      ]);
      return {
        label: `${kind} ${JSON.stringify(passphrase)}`,
        text: sealed,
        passphrase,
        expect: 'WRONG_PASSPHRASE',
        names: /passphrase/,
      };
    }
    case 'sealed-damaged': {
      const wrapper = JSON.parse(sealed) as JsonObject;
      const field = random.pick(['data', 'data', 'salt', 'wrappedKey', 'iterations', 'kdf', 'version', 'extra']);
      if (field === 'data' || field === 'wrappedKey' || field === 'salt') {
        const bytes = Buffer.from(wrapper[field] as string, 'base64');
        const how = random.pick(['flip', 'cut', 'junk']);
        if (how === 'flip') bytes[random.int(0, bytes.length - 1)]! ^= 1 << random.int(0, 7);
        wrapper[field] =
          how === 'cut' ? bytes.subarray(0, random.int(0, bytes.length - 1)).toString('base64') : bytes.toString('base64');
        if (how === 'junk') wrapper[field] = `${(wrapper[field] as string).slice(0, 4)}%%%%`;
        // A changed salt or wrapped key makes the right passphrase look wrong: that is the error then.
        const expected = field === 'data' ? 'INVALID_IMPORT' : how === 'junk' ? 'INVALID_IMPORT' : 'WRONG_PASSPHRASE';
        return { label: `${kind} ${field} ${how}`, text: JSON.stringify(wrapper), passphrase: PASSPHRASE, expect: expected };
      }
      if (field === 'extra') wrapper.extra = 1;
      else wrapper[field] = wrongType(random, wrapper[field]!);
      return {
        label: `${kind} ${field}`,
        text: JSON.stringify(wrapper),
        passphrase: PASSPHRASE,
        expect: 'INVALID_IMPORT',
        names: /encrypted/,
      };
    }
    case 'not-text': {
      const text = random.pick<unknown>([42, null, undefined, {}, [], good, true]);
      return { label: `${kind} ${typeof text}`, text, expect: 'INVALID_IMPORT', names: /export file/ };
    }
    case 'valid-empty': {
      const tables = random.chance(0.5) ? {} : { sessions: [], turns: [], audit: [] };
      const empty = {
        format: 'mneme-export',
        version: 1,
        exportedAt: Date.now(),
        profile: { id: 'empty' },
        memories: [],
        vectors: [],
        tables,
      };
      return { label: kind, text: JSON.stringify(empty), expect: 'ok' };
    }
    case 'valid-other-profile':
      return { label: kind, text: other, expect: 'ok' };
    default: {
      // A 50 MB string at a random string-valued path.
      const all = paths(file).filter((path) => {
        const { parent, key } = parentOf(file, path);
        return typeof (parent as Record<string | number, Json>)[key] === 'string';
      });
      const path = random.pick(all);
      const { parent, key } = parentOf(file, path);
      (parent as Record<string | number, Json>)[key] = 'w'.repeat(BIG);
      return {
        label: `${kind} at ${describePath(path)}`,
        text: JSON.stringify(file),
        expect: 'INVALID_IMPORT',
        names: pathPattern(path.slice(0, 2)),
      };
    }
  }
}

/**
 * Places where any (small) JSON is valid: audit snapshots and job payloads; and a metadata value
 * may be any string, number, boolean or null.
 */
function freeForm(path: (string | number)[], value: Json): boolean {
  const [top, table, , field] = path;
  if (top === 'tables' && table === 'audit' && (field === 'before' || field === 'after')) return true;
  if (top === 'tables' && table === 'outbox' && field === 'payload') return true;
  const scalar = value === null || typeof value !== 'object';
  // A memory's metadata takes any scalar, also in the copy a reply's context keeps of it.
  if (top === 'tables' && table === 'turns' && field === 'context' && path.at(-2) === 'metadata') return scalar;
  return top === 'memories' && path[2] === 'metadata' && path.length === 4 && scalar;
}

/** Fields a file or a row may leave out. */
const OPTIONAL = new Set([
  'validTo',
  'embeddingModel',
  'lastAccessedAt',
  'archivedAt',
  'archiveReason',
  'name',
  'key',
  'sourceTurnId',
  'endedAt',
  'before',
  'after',
  'reason',
  'redacted',
  'error',
  'lastError',
  'dedupeKey',
  'seq',
  'context',
  'stopped',
]);
