/** The fields of the profile, apart from their zod schema (profile-schema.ts) so that reading a profile does not load zod. */
export const SCALAR_FIELDS = ['name', 'preferredName', 'communicationStyle', 'technicalLevel'] as const;
export const LIST_FIELDS = ['interests', 'goals', 'facts'] as const;
