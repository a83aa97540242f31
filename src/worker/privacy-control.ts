/**
 * The engine's privacy settings: retention per kind and "do not remember" rules, checked once,
 * held in one place and read at every write, so `client.privacy.set` applies them at once without
 * reopening the client (a reopen would drop the chat model and every cache). They are kept in the
 * profile (its `privacy` settings row, sealed when encrypted): read when it opens or unlocks,
 * written at every `set`. Settings the host gave (options, or a `set` while locked) are stored at
 * the next open instead; settings read from an encrypted profile leave memory when it locks.
 */
import { MemoryError } from '../sdk/errors';
import { RETENTION_MAX_DAYS, type PrivacyApi, type PrivacySettings, type PrivacyState } from '../sdk/privacy';
import type { MemoryKind } from '../sdk/types';
import {
  blockedBy,
  PRIVACY_RULES,
  redact,
  type PrivacyRuleName,
  type Redaction,
  type RetentionPolicy,
} from '../core/archive/policies';
import type { SettingsRows } from './profile-settings';

const KINDS: readonly MemoryKind[] = ['note', 'fact', 'turn', 'preference', 'summary', 'episode'];

export interface PrivacyControl {
  api: PrivacyApi;
  /** The rule a memory text falls under, if any. */
  blockedBy(text: string): string | undefined;
  /** The text with what the rules withhold replaced by markers. */
  redact(text: string): Redaction;
  retention(): RetentionPolicy;
  /** The profile opened (or unlocked): its stored settings apply, or the host's unsaved ones are stored. */
  restore(rows: SettingsRows): Promise<void>;
  /** The profile locked or closed: what was read from it leaves memory (the host's unsaved settings stay). */
  forget(): void;
}

const ROW = 'privacy';
const EMPTY: Checked = { retention: {}, doNotRemember: { rules: [], patterns: [] }, regexps: [] };

interface Checked extends PrivacyState {
  regexps: RegExp[];
}

/**
 * `changed` runs after a `set` that changed the retention (the engine sweeps); `set` after every
 * `set` (sync sends it); `rows` gives the open profile's settings rows (undefined while locked).
 */
export function createPrivacyControl(
  initial: PrivacySettings,
  changed: () => void,
  set?: () => void,
  rows?: () => SettingsRows | undefined,
): PrivacyControl {
  let state = check(initial, EMPTY);
  let unsaved = initial.retention !== undefined || initial.doNotRemember !== undefined;
  const snapshot = (): PrivacyState => ({
    retention: { ...state.retention },
    doNotRemember: { rules: [...state.doNotRemember.rules], patterns: [...state.doNotRemember.patterns] },
  });
  return {
    api: {
      get: async () => snapshot(),
      set: async (settings) => {
        state = check(settings, state);
        unsaved = true;
        const open = rows?.();
        if (open) {
          await open.write(ROW, snapshot());
          unsaved = false;
        }
        if (settings?.retention !== undefined) changed();
        set?.();
        return snapshot();
      },
    },
    blockedBy: (text) => blockedBy(text, state.doNotRemember.rules, state.regexps),
    redact: (text) => redact(text, state.doNotRemember.rules, state.regexps),
    retention: () => state.retention,
    restore: async (open) => {
      if (unsaved) {
        await open.write(ROW, snapshot());
        unsaved = false;
        return;
      }
      // A row that does not open (tampered) is left out: `maintenance.verify()` reports it.
      const stored = await open.read<PrivacyState>(ROW).catch(() => undefined);
      try {
        state = stored ? check(stored, EMPTY) : EMPTY;
      } catch {
        state = EMPTY;
      }
    },
    forget: () => {
      if (!unsaved) state = EMPTY;
    },
  };
}

/** Checks every field given before anything changes; fields not given keep their value in `current`. */
function check(settings: PrivacySettings | undefined, current: Checked): Checked {
  if (settings !== undefined && (typeof settings !== 'object' || settings === null))
    invalid('privacy settings must be an object');
  const next: Checked = { ...current };
  if (settings?.retention !== undefined) next.retention = checkRetention(settings.retention);
  if (settings?.doNotRemember !== undefined) {
    const { rules, patterns, regexps } = checkRules(settings.doNotRemember);
    next.doNotRemember = { rules, patterns };
    next.regexps = regexps;
  }
  return next;
}

function checkRetention(retention: unknown): RetentionPolicy {
  if (typeof retention !== 'object' || retention === null || Array.isArray(retention))
    invalid('retention must be an object of days per kind, e.g. { turn: 90 }');
  const checked: RetentionPolicy = {};
  for (const [kind, days] of Object.entries(retention)) {
    if (!KINDS.includes(kind as MemoryKind)) invalid(`retention names an unknown kind "${kind}"`);
    if (days === undefined || days === null) continue;
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > RETENTION_MAX_DAYS)
      invalid(`retention for ${kind} must be a number of days above 0 and at most ${RETENTION_MAX_DAYS}`, {
        kind,
        days: String(days),
      });
    checked[kind as MemoryKind] = days;
  }
  return checked;
}

function checkRules(given: unknown): { rules: PrivacyRuleName[]; patterns: string[]; regexps: RegExp[] } {
  if (typeof given !== 'object' || given === null) invalid('doNotRemember must be an object');
  const { rules = [], patterns = [] } = given as { rules?: unknown; patterns?: unknown };
  if (!Array.isArray(rules)) invalid('doNotRemember.rules must be an array');
  if (!Array.isArray(patterns) || !patterns.every((p) => typeof p === 'string'))
    invalid('doNotRemember.patterns must be an array of strings');
  for (const name of rules) {
    if (typeof name !== 'string' || !(name in PRIVACY_RULES))
      invalid(`Unknown "do not remember" rule ${String(name)}`, { rule: String(name) });
  }
  const regexps = (patterns as string[]).map((pattern) => {
    try {
      return new RegExp(pattern, 'i');
    } catch (error) {
      throw new MemoryError('INVALID_ARGUMENT', `A "do not remember" pattern is not a valid regular expression`, {
        cause: error,
        details: { pattern },
      });
    }
  });
  return { rules: [...new Set(rules as PrivacyRuleName[])], patterns: [...(patterns as string[])], regexps };
}

function invalid(message: string, details?: Record<string, string>): never {
  throw new MemoryError('INVALID_ARGUMENT', message, details ? { details } : {});
}
