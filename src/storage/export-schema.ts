/**
 * The export file format (version 1) and its validation. An import is checked whole against
 * this schema, and then for cross-references (duplicate ids, vectors of unknown memories,
 * vector sizes), before anything is written.
 */
import * as z from 'zod/mini';
import { MemoryError } from '../sdk/errors';
import { MAX_TEXT_LENGTH } from '../core/semantic/validate';
import { LIST_FIELDS, SCALAR_FIELDS } from '../core/profile/profile-fields';
import { stripInvisible } from '../core/invisible';
import { LAYER_TABLES } from './layer-tables';

export const EXPORT_FORMAT = 'mneme-export';
export const ENCRYPTED_EXPORT_FORMAT = 'mneme-export-encrypted';
export const EXPORT_VERSION = 1;
/** Largest import accepted, in memories (and in rows of any other table). */
export const MAX_IMPORT_ROWS = 1_000_000;

export { LAYER_TABLES };

const id = z.string().check(z.minLength(1), z.maxLength(128));
const time = z.number().check(z.refine(Number.isFinite, 'must be a finite time'));
const metadataValue = z.union([z.string().check(z.maxLength(MAX_TEXT_LENGTH)), z.number(), z.boolean(), z.null()]);

const memory = z.strictObject({
  id,
  text: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT_LENGTH)),
  kind: z.enum(['note', 'fact', 'turn', 'preference', 'summary', 'episode']),
  importance: z.number().check(z.gte(0), z.lte(1)),
  pinned: z.boolean(),
  createdAt: time,
  updatedAt: time,
  validFrom: time,
  validTo: z.optional(time),
  metadata: z.record(z.string().check(z.maxLength(200)), metadataValue),
  embeddingModel: z.optional(z.string().check(z.maxLength(200))),
  lastAccessedAt: z.optional(time),
  archivedAt: z.optional(time),
  archiveReason: z.optional(z.literal('decayed')),
});

const vector = z.strictObject({
  id,
  model: z.string().check(z.minLength(1), z.maxLength(200)),
  dim: z.int().check(z.gte(1), z.lte(4096)),
  /** Base64 of `dim` little-endian Float32 values. */
  data: z.string(),
});

const count = z.int().check(z.gte(0));
const text = z.string().check(z.maxLength(MAX_TEXT_LENGTH));
const finite = z.number().check(z.refine(Number.isFinite, 'must be a finite number'));
const long = z.string().check(z.maxLength(10 * MAX_TEXT_LENGTH));

/** The context a reply was made from, kept with the reply (the inspector reads it). */
const replyContext = z.strictObject({
  prompt: long,
  sections: z
    .array(z.strictObject({ tag: z.string().check(z.maxLength(200)), content: long, tokens: count }))
    .check(z.maxLength(100)),
  totalTokens: count,
  budget: count,
  memoryTokens: count,
  memoriesUsed: z.array(id).check(z.maxLength(1_000)),
  retrieved: z.optional(
    z
      .array(
        z.strictObject({
          item: memory,
          score: finite,
          rank: count,
          explanation: z.strictObject({
            mode: z.enum(['hybrid', 'lexical', 'dense']),
            similarity: z.optional(finite),
            lexical: z.optional(finite),
            recency: finite,
            importance: finite,
            contributions: z.strictObject({
              similarity: finite,
              lexical: finite,
              recency: finite,
              importance: finite,
              neighbour: z.optional(finite),
            }),
            via: z.array(z.enum(['dense', 'lexical', 'recent', 'important', 'neighbour'])).check(z.maxLength(10)),
          }),
        }),
      )
      .check(z.maxLength(1_000)),
  ),
  dropped: z.strictObject({ profile: count, memories: count, experiences: count, summary: count, turns: count }),
  overflow: z.boolean(),
});
/** Free-form JSON (audit snapshots, job payloads), bounded so a file cannot smuggle in huge values. */
const smallJson = z.json().check(z.refine((value) => JSON.stringify(value).length <= 4 * MAX_TEXT_LENGTH, 'is too large'));

/**
 * Rows of the memory layers, checked as strictly as memories: a row of the wrong shape would be
 * written as it is and break the layer that reads it later (or fail the write half-way).
 */
const layerRows = {
  sessions: z.strictObject({ id, title: z.string().check(z.maxLength(200)), createdAt: time, updatedAt: time, turnCount: count }),
  turns: z.strictObject({
    id,
    sessionId: id,
    role: z.enum(['user', 'assistant', 'system']),
    content: text,
    createdAt: time,
    seq: count,
    archivedAt: z.optional(time),
    // A reply's context, as the model was sent it: checked as strictly, the inspector reads it.
    context: z.optional(replyContext),
    stopped: z.optional(z.boolean()),
  }),
  summaries: z.strictObject({ id, sessionId: id, text, turnsCovered: count, createdAt: time, updatedAt: time }),
  profileFields: z.strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(MAX_TEXT_LENGTH + 100)),
    field: z.enum([...SCALAR_FIELDS, ...LIST_FIELDS, 'preferences']),
    key: z.optional(z.string().check(z.maxLength(200))),
    value: text,
    setBy: z.enum(['user', 'llm']),
    pinned: z.boolean(),
    rejected: z.boolean(),
    sourceTurnId: z.optional(id),
    createdAt: time,
    updatedAt: time,
  }),
  episodes: z.strictObject({
    id,
    task: text,
    status: z.enum(['open', 'succeeded', 'failed']),
    actions: z.array(z.strictObject({ action: text, outcome: text, at: time })).check(z.maxLength(10_000)),
    lessons: z.array(text).check(z.maxLength(1_000)),
    startedAt: time,
    endedAt: z.optional(time),
    memoryId: id,
  }),
  outbox: z.strictObject({
    id,
    kind: z.string().check(z.minLength(1), z.maxLength(200)),
    payload: smallJson,
    state: z.enum(['pending', 'running', 'done', 'failed']),
    attempts: count,
    maxAttempts: count,
    runAfter: time,
    createdAt: time,
    updatedAt: time,
    lastError: z.optional(z.strictObject({ code: z.string().check(z.maxLength(200)), message: text })),
    dedupeKey: z.optional(z.string().check(z.maxLength(MAX_TEXT_LENGTH))),
  }),
  // Nothing writes this table yet: only its key and indexed fields are known.
  archive: z.looseObject({ id, kind: z.string().check(z.maxLength(200)), archivedAt: time, originalId: z.optional(id) }),
  audit: z.strictObject({
    seq: z.optional(z.int().check(z.gte(1))),
    at: time,
    actor: z.enum(['user', 'llm', 'policy']),
    action: z.enum(['create', 'update', 'pin', 'unpin', 'delete', 'supersede', 'merge', 'archive', 'restore']),
    entity: z.string().check(z.minLength(1), z.maxLength(200)),
    entityId: z.string().check(z.maxLength(MAX_TEXT_LENGTH + 100)),
    entityIds: z.optional(z.array(id).check(z.maxLength(MAX_IMPORT_ROWS))),
    before: z.optional(smallJson),
    after: z.optional(smallJson),
    reason: z.optional(text),
    redacted: z.optional(z.boolean()),
  }),
} satisfies Record<(typeof LAYER_TABLES)[number], z.ZodMiniType>;

export const exportFileSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: time,
  profile: z.strictObject({ id, name: z.optional(z.string().check(z.maxLength(80))) }),
  memories: z.array(memory).check(z.maxLength(MAX_IMPORT_ROWS)),
  vectors: z.array(vector).check(z.maxLength(MAX_IMPORT_ROWS)),
  tables: z.partial(
    z.strictObject(
      Object.fromEntries(LAYER_TABLES.map((t) => [t, z.array(layerRows[t]).check(z.maxLength(MAX_IMPORT_ROWS))])) as {
        [T in (typeof LAYER_TABLES)[number]]: z.ZodMiniArray<(typeof layerRows)[T]>;
      },
    ),
  ),
});

export const encryptedExportSchema = z.strictObject({
  format: z.literal(ENCRYPTED_EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  kdf: z.literal('PBKDF2-SHA-256'),
  iterations: z.int().check(z.gte(100_000), z.lte(10_000_000)),
  salt: z.string(),
  wrappedKey: z.string(),
  data: z.string(),
});

export type ExportFile = z.infer<typeof exportFileSchema>;
export type EncryptedExportFile = z.infer<typeof encryptedExportSchema>;
export type ExportedVector = z.infer<typeof vector>;

export function invalidImport(message: string): never {
  throw new MemoryError('INVALID_IMPORT', `This file cannot be imported: ${message}. Nothing was changed.`);
}

/** Parses and checks a whole (decrypted) export file, naming the first problem found. */
export function validateExport(value: unknown): ExportFile {
  const parsed = z.safeParse(exportFileSchema, value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
    invalidImport(`${where.replace(/^\./, '') || 'the file'}: ${issue.message}`);
  }
  const file = withoutInvisible(parsed.data);
  const ids = new Set<string>();
  for (const [i, item] of file.memories.entries()) {
    if (ids.has(item.id)) invalidImport(`memories[${i}].id: "${item.id}" appears twice`);
    ids.add(item.id);
  }
  for (const table of LAYER_TABLES) {
    // Rows share a key (`id`, or `seq` in the audit trail): a second row would silently replace the first.
    const keys = new Set<unknown>();
    for (const [i, row] of (file.tables[table] ?? []).entries()) {
      const key = table === 'audit' ? (row as { seq?: number }).seq : (row as { id: string }).id;
      if (key === undefined) continue;
      if (keys.has(key)) invalidImport(`tables.${table}[${i}]: key "${String(key)}" appears twice`);
      keys.add(key);
    }
  }
  const vectorIds = new Set<string>();
  for (const [i, entry] of file.vectors.entries()) {
    if (!ids.has(entry.id)) invalidImport(`vectors[${i}]: no memory has id "${entry.id}"`);
    const key = `${entry.model}\u0000${entry.id}`;
    if (vectorIds.has(key)) invalidImport(`vectors[${i}]: a second vector for "${entry.id}"`);
    vectorIds.add(key);
    if (base64Bytes(entry.data) !== entry.dim * 4) invalidImport(`vectors[${i}].data: does not hold ${entry.dim} numbers`);
  }
  return file;
}

const visible = (text: string) => stripInvisible(text).trim();

/**
 * The file with invisible format characters taken out of every text a person types in the app
 * (../core/invisible.ts), as typing them would have: memory texts, conversation titles, turns and
 * summaries, profile values (and the entry ids spelled from a list value), episode tasks, actions,
 * outcomes and lessons. Audit snapshots and job payloads are history and stay as they were; they
 * never reach a prompt unescaped (the context builder strips them there too).
 */
function withoutInvisible(file: ExportFile): ExportFile {
  const { sessions, turns, summaries, profileFields, episodes } = file.tables;
  const listFields: readonly string[] = LIST_FIELDS;
  const memories = file.memories.map((item, i) => {
    const text = visible(item.text);
    if (text.length === 0) invalidImport(`memories[${i}].text: holds nothing visible`);
    return text === item.text ? item : { ...item, text };
  });
  return {
    ...file,
    memories,
    tables: {
      ...file.tables,
      ...(sessions && { sessions: sessions.map((row) => ({ ...row, title: visible(row.title) })) }),
      ...(turns && { turns: turns.map((row) => ({ ...row, content: visible(row.content) })) }),
      ...(summaries && { summaries: summaries.map((row) => ({ ...row, text: visible(row.text) })) }),
      ...(profileFields && {
        profileFields: profileFields.map((row) => ({
          ...row,
          ...(listFields.includes(row.field) ? { id: stripInvisible(row.id) } : {}),
          value: stripInvisible(row.value),
        })),
      }),
      ...(episodes && {
        episodes: episodes.map((row) => ({
          ...row,
          task: visible(row.task),
          actions: row.actions.map((step) => ({ ...step, action: visible(step.action), outcome: visible(step.outcome) })),
          lessons: row.lessons.map(visible),
        })),
      }),
    },
  };
}

export function validateEncryptedWrapper(value: unknown): EncryptedExportFile {
  const parsed = z.safeParse(encryptedExportSchema, value);
  if (!parsed.success) invalidImport('the encrypted wrapper is malformed');
  for (const field of ['salt', 'wrappedKey', 'data'] as const) {
    if (base64Bytes(parsed.data[field]) < 0) invalidImport(`the encrypted wrapper is malformed (${field} is not base64)`);
  }
  return parsed.data;
}

/** Decoded length of a base64 string, or -1 when it is not base64. */
export function base64Bytes(text: string): number {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return -1;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}
