/**
 * Privacy settings of a client (retention per kind, "do not remember" rules), which can change
 * while it runs (`client.privacy.set`), and the marker that stands in stored text where a rule
 * withheld something.
 */
import type { MemoryKind } from './types';

/** The built-in "do not remember" rules. */
export type PrivacyRuleName = 'card-number' | 'password' | 'health' | 'government-id';

/** The longest retention a kind can be given, in days (100 years); longer is surely a typo. */
export const RETENTION_MAX_DAYS = 36_500;

export interface PrivacySettings {
  /**
   * Days to keep memories of each kind, e.g. `{ turn: 90 }` (more than 0, at most
   * {@link RETENTION_MAX_DAYS}); kinds not named are kept until they decay into the archive.
   */
  retention?: Partial<Record<MemoryKind, number>>;
  /**
   * "Do not remember" rules: built-in `rules` and extra `patterns` (regular expressions,
   * case-insensitive). Memories that fall under one are refused; in conversations the matching
   * part is replaced by a {@link withheldMarker} before it is stored or shown to a model.
   */
  doNotRemember?: { rules?: PrivacyRuleName[]; patterns?: string[] };
}

/** The settings in force, every field present. */
export interface PrivacyState {
  retention: Partial<Record<MemoryKind, number>>;
  doNotRemember: { rules: PrivacyRuleName[]; patterns: string[] };
}

/** Privacy settings that apply at once, without closing the client (the chat model stays loaded). */
export interface PrivacyApi {
  get(): Promise<PrivacyState>;
  /**
   * Replaces the fields given (a field left out keeps its value). Everything is checked first: a
   * bad value rejects with `INVALID_ARGUMENT` naming it, and nothing changes. A new retention
   * runs its sweep in the background. Works while the profile is locked.
   */
  set(settings: PrivacySettings): Promise<PrivacyState>;
}

/** What a custom pattern is called in a marker (the pattern itself is not repeated into the text). */
export const PATTERN_RULE = 'pattern';

/** The text that replaces what a rule withheld: `[withheld: password]`. */
export const withheldMarker = (rule: string): string => `[withheld: ${rule}]`;

const MARKER = /\[withheld: ([a-z-]+)\]/g;

/** The rules that withheld parts of a stored text, each once, in order of appearance. */
export function withheldIn(text: string): string[] {
  return [...new Set([...text.matchAll(MARKER)].map((match) => match[1]!))];
}

/** The text with every marker replaced by `replacement`. */
export function withoutMarkers(text: string, replacement = ' '): string {
  return text.replace(MARKER, replacement);
}

/**
 * The host app's own choices for one profile (the app keeps its chat server here), stored inside
 * the profile: sealed under its key when it is encrypted, so its disk does not give them away.
 * Values must survive JSON. While the profile is locked both calls reject with `LOCKED`.
 */
export interface PreferencesApi {
  /** What is stored (`{}` when nothing is). */
  get(): Promise<Record<string, unknown>>;
  /**
   * Merges `values` into what is stored (a key given as `undefined` or `null` is removed) and
   * returns the result. `INVALID_ARGUMENT` for anything but a plain object, or over 64 KiB as JSON.
   */
  set(values: Record<string, unknown>): Promise<Record<string, unknown>>;
}
