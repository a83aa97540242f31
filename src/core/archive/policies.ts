/**
 * Decay, retention and "do not remember" rules: policies that act on memories without a person.
 * Decay: importance × 0.95^(days since last access); an access refreshes it; below 0.1 a memory
 * moves to the archive; pinned memories never decay. Retention: per kind, a memory older than its
 * period is deleted (text, vector, index entries together). Rules: a memory that matches an enabled
 * rule is never stored; in a conversation the matching part is replaced by a marker (`redact`).
 */
import type { MemoryItem, MemoryKind } from '../../sdk/types';
import { PATTERN_RULE, withheldMarker, withoutMarkers } from '../../sdk/privacy';

const DAY_MS = 86_400_000;
export const DECAY_PER_DAY = 0.95;
export const ARCHIVE_BELOW = 0.1;

/**
 * The start (UTC) of the day `at` falls in: a memory's last use is stored to the day, because it sits
 * in clear in an encrypted profile and the exact time would tell when each memory was recalled.
 * Decay counts days, so it moves by less than one day's 5 %.
 */
export function accessDay(at: number): number {
  return at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
}

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

const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
/** "password is X": the value is the third group; a marker in its place is no password. */
const PASSWORD = /\b(password|passcode|passwort|pin code|pin)\b\s*(is|:|=|was)\s*(?!\[withheld: )(\S+)/;

/** Built-in rules a user can switch on. Each says whether a text falls under it. */
export const PRIVACY_RULES = {
  /** Payment card numbers (13–19 digits, spaces or dashes allowed, Luhn-valid). */
  'card-number': (text: string) => [...text.matchAll(CARD)].some((m) => luhn(m[0].replace(/\D/g, ''))),
  /** A password or PIN being stated (a value already withheld is not one). */
  password: (text: string) => new RegExp(PASSWORD.source, 'i').test(text),
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
  // A marker left by an earlier redaction is not the user's text: a pattern never matches it.
  const plain = withoutMarkers(text);
  for (const pattern of patterns) if (new RegExp(pattern.source, 'i').test(plain)) return `pattern ${pattern.source}`;
  return undefined;
}

/** A text with what the rules withheld replaced by markers, and the rules that withheld something. */
export interface Redaction {
  text: string;
  withheld: string[];
}

interface Span {
  start: number;
  end: number;
  rule: string;
}

/**
 * Replaces what falls under the rules by `[withheld: <rule>]`: a card number, an ID number or a
 * stated password alone (the sentence around it stays readable); for health and custom patterns
 * the whole sentence, since what is private sits around the word that matched. Text that would
 * still fall under a rule afterwards is withheld whole.
 */
export function redact(text: string, rules: readonly PrivacyRuleName[], patterns: readonly RegExp[]): Redaction {
  if (blockedBy(text, rules, patterns) === undefined) return { text, withheld: [] };
  const spans: Span[] = [];
  const add = (start: number, end: number, rule: string) => spans.push({ start, end, rule });
  for (const rule of rules) {
    if (rule === 'card-number') {
      for (const m of text.matchAll(CARD)) if (luhn(m[0].replace(/\D/g, ''))) add(m.index, m.index + m[0].length, rule);
    } else if (rule === 'government-id') {
      for (const m of text.matchAll(/\b\d{3}-\d{2}-\d{4}\b/g)) add(m.index, m.index + m[0].length, rule);
    } else if (rule === 'password') {
      for (const m of text.matchAll(new RegExp(PASSWORD.source, 'gi'))) {
        const value = m[3]!.replace(/[.,;:!?)"'”’]+$/, '') || m[3]!;
        const start = m.index + m[0].length - m[3]!.length;
        add(start, start + value.length, rule);
      }
    } else {
      for (const s of sentences(text)) if (PRIVACY_RULES[rule](s.text)) add(s.start, s.end, rule);
    }
  }
  for (const s of sentences(text)) {
    if (patterns.some((pattern) => new RegExp(pattern.source, 'i').test(withoutMarkers(s.text))))
      add(s.start, s.end, PATTERN_RULE);
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue; // inside a span already withheld
    out += text.slice(at, span.start) + withheldMarker(span.rule);
    at = span.end;
  }
  out += text.slice(at);
  const withheld = [...new Set(spans.map((span) => span.rule))];
  // A rule that matches across sentences (or in a way no span caught) leaves nothing of the text.
  const left = blockedBy(out, rules, patterns);
  if (left !== undefined) {
    const rule = left.startsWith('pattern ') ? PATTERN_RULE : left;
    return { text: withheldMarker(rule), withheld: [...new Set([...withheld, rule])] };
  }
  return { text: out, withheld };
}

/** The sentences of a text with their positions (a line break ends one too). */
function sentences(text: string): { text: string; start: number; end: number }[] {
  return [...text.matchAll(/[^.!?\n]+(?:[.!?]+|$)/gm)]
    .map((m) => ({ text: m[0], start: m.index + (m[0].length - m[0].trimStart().length), end: m.index + m[0].trimEnd().length }))
    .filter((s) => s.end > s.start);
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
