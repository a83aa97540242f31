/** Argument checks for the public memory API. Bad input is `INVALID_ARGUMENT`, never a crash later. */
import { MemoryError } from '../../sdk/errors';
import { stripInvisible } from '../invisible';
import type { AddMemoryInput, MemoryKind, MemoryMetadata, MemoryPatch } from '../../sdk/types';

const KINDS: readonly MemoryKind[] = ['note', 'fact', 'turn', 'preference', 'summary', 'episode'];
/** Longest memory text accepted (characters); longer input is almost always a mistake. */
export const MAX_TEXT_LENGTH = 20_000;

function invalid(message: string): never {
  throw new MemoryError('INVALID_ARGUMENT', message);
}

/**
 * A text that enters memory (a memory, a turn, an episode's task, action or lesson, a query):
 * trimmed and without invisible format characters (../invisible.ts), so what is stored is what a
 * person sees; a text of nothing but those is empty.
 */
export function checkText(text: unknown, what = 'text'): string {
  if (typeof text !== 'string') invalid(`${what} must be a string`);
  const trimmed = stripInvisible(text).trim();
  if (trimmed.length === 0) invalid(`${what} must not be empty`);
  if (trimmed.length > MAX_TEXT_LENGTH) invalid(`${what} is longer than ${MAX_TEXT_LENGTH} characters`);
  return trimmed;
}

export function checkKind(kind: unknown): MemoryKind {
  if (!KINDS.includes(kind as MemoryKind)) invalid(`kind must be one of ${KINDS.join(', ')}`);
  return kind as MemoryKind;
}

export function checkImportance(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    invalid('importance must be a number from 0 to 1');
  }
  return value;
}

export function checkTime(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`${what} must be a time in milliseconds`);
  return value;
}

export function checkMetadata(value: unknown): MemoryMetadata {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('metadata must be an object');
  for (const [key, entry] of Object.entries(value)) {
    const type = typeof entry;
    if (entry !== null && type !== 'string' && type !== 'number' && type !== 'boolean') {
      invalid(`metadata.${key} must be a string, number, boolean or null`);
    }
  }
  return { ...(value as MemoryMetadata) };
}

export function checkVector(value: unknown, dimension: number | undefined): Float32Array | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Float32Array) || value.length === 0) invalid('vector must be a non-empty Float32Array');
  if (dimension !== undefined && value.length !== dimension) {
    invalid(`vector has ${value.length} dimensions, the embedder makes ${dimension}`);
  }
  // One pass: the sum of squares (in doubles, so no float32 value overflows it) is finite exactly
  // when every value is.
  let sum = 0;
  for (let i = 0; i < value.length; i++) sum += value[i]! * value[i]!;
  if (!Number.isFinite(sum)) invalid('vector contains a non-finite number');
  return scaled(value, Math.sqrt(sum));
}

export function checkInput(input: unknown): AddMemoryInput {
  if (typeof input !== 'object' || input === null) invalid('each memory must be an object with a text');
  return input as AddMemoryInput;
}

export function checkPatch(patch: unknown): MemoryPatch {
  if (typeof patch !== 'object' || patch === null) invalid('patch must be an object');
  return patch as MemoryPatch;
}

/** Unit length, so a dot product is the cosine. */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  return scaled(vector, Math.sqrt(sum));
}

/** `vector` divided by its `norm` (itself when that is 0 or already 1). */
function scaled(vector: Float32Array, norm: number): Float32Array {
  if (norm === 0 || Math.abs(norm - 1) < 1e-6) return vector;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! / norm;
  return out;
}
