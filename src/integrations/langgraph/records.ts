/**
 * How a LangGraph store item lives in a Mneme profile: one memory (kind `note`) per item. Its text
 * is what the item is found by (the indexed fields, as LangGraph extracts them), and its metadata
 * carries the rest: the namespace, the key, the value as JSON, whether it is indexed, its place in
 * the order of creation, and the times of its first and last `put`. Memories without these keys (the user's own
 * notes, facts, turns) are not store items and are never touched.
 */
import type { Item } from '@langchain/langgraph-checkpoint';
import type { MemoryItem, MemoryMetadata } from '../../sdk/types';

export const KEYS = {
  namespace: 'langgraph.namespace',
  key: 'langgraph.key',
  value: 'langgraph.value',
  indexed: 'langgraph.indexed',
  seq: 'langgraph.seq',
  createdAt: 'langgraph.createdAt',
  updatedAt: 'langgraph.updatedAt',
} as const;

/** A store item with the memory behind it. */
export interface StoredItem {
  memoryId: string;
  item: Item;
  indexed: boolean;
  seq: number;
  text: string;
}

/** One string per (namespace, key): the map key of a snapshot. */
export const slot = (namespace: string[], key: string): string => JSON.stringify([namespace, key]);

/** The item a memory holds, or undefined when the memory is not a store item. */
export function storedOf(memory: MemoryItem): StoredItem | undefined {
  const { metadata } = memory;
  const namespace = metadata[KEYS.namespace];
  const key = metadata[KEYS.key];
  const value = metadata[KEYS.value];
  if (typeof namespace !== 'string' || typeof key !== 'string' || typeof value !== 'string') return undefined;
  const createdAt = metadata[KEYS.createdAt];
  const updatedAt = metadata[KEYS.updatedAt];
  const seq = metadata[KEYS.seq];
  return {
    memoryId: memory.id,
    item: {
      namespace: JSON.parse(namespace) as string[],
      key,
      value: JSON.parse(value) as Record<string, unknown>,
      createdAt: new Date(typeof createdAt === 'number' ? createdAt : memory.createdAt),
      updatedAt: new Date(typeof updatedAt === 'number' ? updatedAt : memory.updatedAt),
    },
    indexed: metadata[KEYS.indexed] !== false,
    seq: typeof seq === 'number' ? seq : 0,
    text: memory.text,
  };
}

const asText = (value: unknown): string[] => {
  if (value === null || value === undefined) return [];
  return typeof value === 'object' ? [JSON.stringify(value, null, 2)] : [String(value)];
};

/** The values at one step of a path: `name`, `[2]`, `[-1]`, `[*]` or `*`. */
function step(values: unknown[], token: string): unknown[] {
  const index = /^\[(\*|-?\d+)\]$/.exec(token)?.[1];
  return values.flatMap((value): unknown[] => {
    if (index !== undefined) {
      if (!Array.isArray(value)) return [];
      if (index === '*') return value;
      const at = Number(index) < 0 ? value.length + Number(index) : Number(index);
      return at >= 0 && at < value.length ? [value[at]] : [];
    }
    if (typeof value !== 'object' || value === null) return [];
    if (token === '*') return Object.values(value);
    return token in value ? [(value as Record<string, unknown>)[token]] : [];
  });
}

/**
 * The texts LangGraph embeds for `value` under `fields`, as its stores read a field path: `$` is the
 * whole value as JSON; `a.b`, `list[0]`, `list[-1]`, `list[*].text` and `*` walk into it; a string,
 * number or boolean is its text, an object or array its JSON.
 */
export function indexedText(value: Record<string, unknown>, fields: string[]): string {
  const texts = fields.flatMap((field) => {
    if (field === '$') return [JSON.stringify(value, null, 2)];
    const tokens = field.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
    return tokens.reduce<unknown[]>(step, [value]).flatMap(asText);
  });
  return texts.filter((text) => text.trim() !== '').join('\n');
}

/** The memory's text and metadata for an item; unindexed items keep their JSON as text (for the app's list). */
export function memoryOf(
  namespace: string[],
  key: string,
  value: Record<string, unknown>,
  fields: string[] | false,
  first: { seq: number; createdAt: number } | undefined,
  seq: number,
): { text: string; indexed: boolean; metadata: MemoryMetadata } {
  const json = JSON.stringify(value);
  const found = fields === false ? '' : indexedText(value, fields);
  const indexed = found !== '';
  const now = Date.now();
  return {
    text: indexed ? found : json,
    indexed,
    metadata: {
      [KEYS.namespace]: JSON.stringify(namespace),
      [KEYS.key]: key,
      [KEYS.value]: json,
      [KEYS.indexed]: indexed,
      [KEYS.seq]: first?.seq ?? seq,
      [KEYS.createdAt]: first?.createdAt ?? now,
      [KEYS.updatedAt]: now,
    },
  };
}

/** Whether `namespace` starts with `prefix`. */
export const hasPrefix = (namespace: string[], prefix: string[]): boolean =>
  prefix.length <= namespace.length && prefix.every((label, index) => namespace[index] === label);

const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin']);
const isOperators = (filter: unknown): filter is Record<string, unknown> =>
  typeof filter === 'object' &&
  filter !== null &&
  !Array.isArray(filter) &&
  Object.keys(filter).length > 0 &&
  Object.keys(filter).every((key) => OPERATORS.has(key));

/** Plain JSON equality (an object or array filter value matches an equal value, not only the same one). */
const equal = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'object' && JSON.stringify(a) === JSON.stringify(b));

function matches(actual: unknown, filter: unknown): boolean {
  if (!isOperators(filter)) return equal(actual, filter);
  return Object.entries(filter).every(([operator, operand]) => {
    switch (operator) {
      case '$eq':
        return equal(actual, operand);
      case '$ne':
        return !equal(actual, operand);
      case '$gt':
        return Number(actual) > Number(operand);
      case '$gte':
        return Number(actual) >= Number(operand);
      case '$lt':
        return Number(actual) < Number(operand);
      case '$lte':
        return Number(actual) <= Number(operand);
      case '$in':
        return Array.isArray(operand) && operand.some((option) => equal(actual, option));
      default:
        return !Array.isArray(operand) || !operand.some((option) => equal(actual, option));
    }
  });
}

/** LangGraph's filter: every top-level field of the value equals (or satisfies `$eq`, `$gt`, `$in`, …) the filter's. */
export const matchesFilter = (value: Record<string, unknown>, filter: Record<string, unknown> | undefined): boolean =>
  Object.entries(filter ?? {}).every(([field, wanted]) => matches(value[field], wanted));
