/** The shape of a profile change, shared by user edits and model proposals (and sent to the model as JSON Schema). */
import * as z from 'zod/mini';

export const SCALAR_FIELDS = ['name', 'preferredName', 'communicationStyle', 'technicalLevel'] as const;
export const LIST_FIELDS = ['interests', 'goals', 'facts'] as const;

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
