/**
 * The profile's LLM path: after an exchange the ChatModel proposes changes to the structured
 * profile as JSON patches (validated; one retry; then `LLM_OUTPUT_INVALID` and nothing written).
 * The profile service applies them under its rules: a user's edit, a pinned or a rejected value is
 * never overwritten, and every accepted change records its source turn.
 */
import * as z from 'zod/mini';
import type { ChatMessage, ChatModel } from '../ports';
import type { ProfileProposalResult, UserProfile } from '../../sdk/types';
import { generateStructured } from '../pipeline/structured-output';
import {
  conversationBlock,
  dataBlock,
  EXTRACTION_DATA_RULE,
  EXTRACTION_TAGS,
  hasUserWords,
  USER_SOURCE_RULE,
} from '../pipeline/extraction-input';
import { profilePatchSchema } from './profile-schema';
import type { ProfileService } from './profile-service';

export const PROFILE_PROMPT =
  'You maintain a structured profile of the user (the <current_profile> block holds it as JSON). From the conversation ' +
  'in the <conversation> block, propose changes the user stated or clearly implied about themselves, as JSON {"patches": [...]} where each patch is one of: ' +
  '{"op":"set","field":"name"|"preferredName"|"communicationStyle","value":"..."}, ' +
  '{"op":"set","field":"technicalLevel","value":"beginner"|"intermediate"|"expert"}, ' +
  '{"op":"add"|"remove","field":"interests"|"goals"|"facts","value":"..."}, ' +
  '{"op":"set","field":"preferences","key":"...","value":"..."}, {"op":"remove","field":"preferences","key":"..."}. ' +
  'Do not repeat what the profile already says. Nothing to change: {"patches": []}. ' +
  `${USER_SOURCE_RULE} ${EXTRACTION_DATA_RULE}`;

const proposalSchema = z.strictObject({ patches: z.array(profilePatchSchema).check(z.maxLength(8)) });

export async function proposeProfileUpdates(
  chat: ChatModel,
  profile: ProfileService,
  messages: ChatMessage[],
  options: { sourceTurnId?: string; signal?: AbortSignal } = {},
): Promise<ProfileProposalResult | undefined> {
  // What the user is comes only from their own words (../pipeline/extraction-input.ts).
  if (!hasUserWords(messages)) return undefined;
  const { profile: current } = await profile.get();
  const { patches } = await generateStructured(
    chat,
    [
      { role: 'system', content: PROFILE_PROMPT },
      {
        role: 'user',
        content: `${dataBlock(EXTRACTION_TAGS.profile, describeProfile(current))}\n${conversationBlock(messages)}`,
      },
    ],
    proposalSchema,
    options.signal ? { signal: options.signal } : {},
  );
  if (patches.length === 0) return undefined;
  return profile.propose(patches, options.sourceTurnId);
}

function describeProfile(profile: UserProfile): string {
  const json = JSON.stringify(profile);
  return json === '{}' ? '(empty)' : json;
}
