/** The shape of a profile change, shared by user edits and model proposals (and sent to the model as JSON Schema). */
import * as z from 'zod/mini';
import { MemoryError, type MemoryErrorCode } from '../../sdk/errors';
import type { ProfilePatch } from '../../sdk/types';
import { LIST_FIELDS } from './profile-fields';

export { LIST_FIELDS, SCALAR_FIELDS } from './profile-fields';

const text = z.string().check(
  z.minLength(1),
  z.maxLength(300),
  z.refine((value) => value.trim().length > 0, 'must not be blank'),
);
const preferenceKey = z.string().check(z.minLength(1), z.maxLength(60), z.regex(/^[\p{L}\p{N} _-]+$/u));

export const profilePatchSchema = z.union([
  z.strictObject({ op: z.literal('set'), field: z.enum(['name', 'preferredName', 'communicationStyle']), value: text }),
  z.strictObject({
    op: z.literal('set'),
    field: z.literal('technicalLevel'),
    value: z.enum(['beginner', 'intermediate', 'expert']),
  }),
  z.strictObject({ op: z.enum(['add', 'remove']), field: z.enum(LIST_FIELDS), value: text }),
  z.strictObject({ op: z.literal('set'), field: z.literal('preferences'), key: preferenceKey, value: text }),
  z.strictObject({ op: z.literal('remove'), field: z.literal('preferences'), key: preferenceKey }),
]);

/**
 * The patch if it has the shape of {@link profilePatchSchema}, else a `MemoryError` with `code` and
 * `prefix` before the first problem. The profile service loads this module only when a patch arrives.
 */
export function checkProfilePatch(patch: unknown, code: MemoryErrorCode, prefix: string): ProfilePatch {
  const parsed = z.safeParse(profilePatchSchema, patch);
  if (!parsed.success) throw new MemoryError(code, `${prefix}: ${parsed.error.issues[0]?.message}`);
  return parsed.data as ProfilePatch;
}
