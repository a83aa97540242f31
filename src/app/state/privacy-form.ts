/**
 * The privacy form's rules, apart from its markup: what a retention field may hold, which pattern
 * lines are usable, and the sentences that say exactly what was saved and what was not.
 */
import { RETENTION_MAX_DAYS, type MemoryKind, type PrivacyState } from '../../sdk/index';

export const RETENTION_KINDS: MemoryKind[] = ['turn', 'fact', 'note', 'preference', 'episode', 'summary'];

export const PRIVACY_RULE_LABELS: Record<string, string> = {
  'card-number': 'Payment card numbers',
  password: 'Passwords and PINs',
  health: 'Health conditions and medication',
  'government-id': 'Government ID numbers',
};

/** Days as typed: empty keeps memories until they fade (undefined); otherwise whole days 1..36,500. */
export function parseRetentionDays(raw: unknown): { ok: true; days: number | undefined } | { ok: false; problem: string } {
  const text = String(raw ?? '').trim();
  if (!text) return { ok: true, days: undefined };
  const limit = RETENTION_MAX_DAYS.toLocaleString('en');
  if (!/^\d+$/.test(text)) return { ok: false, problem: `“${text}” is not a whole number of days (1 to ${limit}).` };
  const days = Number(text);
  if (days < 1 || days > RETENTION_MAX_DAYS) return { ok: false, problem: `Keep for 1 to ${limit} days, or leave it empty.` };
  return { ok: true, days };
}

/** The pattern lines that are valid regular expressions, and why each other one is not. */
export function checkPatterns(text: string): { valid: string[]; invalid: { pattern: string; problem: string }[] } {
  const valid: string[] = [];
  const invalid: { pattern: string; problem: string }[] = [];
  for (const pattern of text.split('\n').map((line) => line.trim())) {
    if (!pattern) continue;
    try {
      new RegExp(pattern, 'i');
      if (!valid.includes(pattern)) valid.push(pattern);
    } catch (error) {
      invalid.push({
        pattern,
        problem: error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '',
      });
    }
  }
  return { valid, invalid };
}

const plural = (kind: MemoryKind) => (kind === 'summary' ? 'summaries' : `${kind}s`);
const keptFor = (days: number | undefined) =>
  days === undefined ? 'until they fade' : `for ${days} day${days === 1 ? '' : 's'}`;

/** One sentence per setting now in force, in the words of the form. */
export function describePrivacy(state: PrivacyState): string[] {
  const limited = RETENTION_KINDS.filter((kind) => state.retention[kind] !== undefined);
  const retention = limited.length
    ? `Kept ${limited.map((kind) => `${plural(kind)} ${keptFor(state.retention[kind])}`).join(', ')}; everything else until it fades.`
    : 'Every kind of memory is kept until it fades.';
  const names = state.doNotRemember.rules.map((rule) => PRIVACY_RULE_LABELS[rule] ?? rule);
  const patterns = state.doNotRemember.patterns.length;
  if (patterns) names.push(patterns === 1 ? 'your pattern' : `your ${patterns} patterns`);
  const rules = names.length ? `Not remembered: ${names.join(', ')}.` : 'No “do not remember” rules are on.';
  return [retention, rules];
}

/** Why a retention field was not saved, and what stays in force for it. */
export function notSavedRetention(kind: MemoryKind, problem: string, kept: number | undefined): string {
  return `Keep ${plural(kind)}: ${problem} ${plural(kind)[0]!.toUpperCase()}${plural(kind).slice(1)} are still kept ${keptFor(kept)}.`;
}

const WITHHELD_NAMES: Record<string, string> = {
  'card-number': 'a card number',
  password: 'a password',
  health: 'health details',
  'government-id': 'an ID number',
  pattern: 'text matching your patterns',
};

/** The note under a message whose private parts were withheld. */
export function withheldNote(rules: string[]): string {
  const names = rules.map((rule) => WITHHELD_NAMES[rule] ?? rule);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}` : names[0]!;
  return `Not stored and not sent to the model: ${list} (your “do not remember” rules).`;
}
