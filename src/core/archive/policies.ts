/**
 * Decay, retention and "do not remember" rules: policies that act on memories without a person.
 * Decay: importance × 0.95^(days since last access); an access refreshes it; below 0.1 a memory
 * moves to the archive; pinned memories never decay. Retention: per kind, a memory older than its
 * period is deleted (text, vector, index entries together). Rules: text that matches an enabled
 * rule is never stored.
 */
import type { MemoryItem, MemoryKind } from '../../sdk/types';

const DAY_MS = 86_400_000;
export const DECAY_PER_DAY = 0.95;
export const ARCHIVE_BELOW = 0.1;

export function effectiveImportance(item: MemoryItem, now: number): number {
  if (item.pinned) return item.importance;
  const since = item.lastAccessedAt ?? item.updatedAt;
  const days = Math.max(0, now - since) / DAY_MS;
  return item.importance * Math.pow(DECAY_PER_DAY, days);
}

export type RetentionPolicy = Partial<Record<MemoryKind, number>>;

/** What a sweep should do to one memory now, if anything. */
export function policyFor(item: MemoryItem, now: number, retention: RetentionPolicy): 'delete' | 'archive' | undefined {
  const days = retention[item.kind];
  if (days !== undefined && !item.pinned && now - item.createdAt > days * DAY_MS) return 'delete';
  if (!item.pinned && item.archivedAt === undefined && effectiveImportance(item, now) < ARCHIVE_BELOW) return 'archive';
  return undefined;
}

/** Built-in rules a user can switch on. Each says whether a text falls under it. */
export const PRIVACY_RULES = {
  /** Payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid). */
  'card-number': (text: string) => [...text.matchAll(/\b(?:\d[ -]?){12,18}\d\b/g)].some((m) => luhn(m[0].replace(/\D/g, ''))),
  /** A password or PIN being stated. */
  password: (text: string) => /\b(password|passcode|passwort|pin code|pin)\b\s*(is|:|=|was)\s*\S+/i.test(text),
  /** Health conditions, treatments and medication. */
  health: (text: string) =>
    /\b(diagnos\w*|disease|disorder|symptom\w*|medication|prescri\w*|therap(y|ist)|depress\w*|cancer|diabetes|hiv|pregnan\w*|surgery|psychiatr\w*)\b/i.test(
      text,
    ),
  /** Government identity numbers (US SSN shape). */
  'government-id': (text: string) => /\b\d{3}-\d{2}-\d{4}\b/.test(text),
} as const;

export type PrivacyRuleName = keyof typeof PRIVACY_RULES;

/** The first enabled rule the text falls under (built-in name or the custom pattern), if any. */
export function blockedBy(text: string, rules: readonly PrivacyRuleName[], patterns: readonly RegExp[]): string | undefined {
  for (const name of rules) if (PRIVACY_RULES[name]?.(text)) return name;
  for (const pattern of patterns) if (pattern.test(text)) return `pattern ${pattern.source}`;
  return undefined;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}
