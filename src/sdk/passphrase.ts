/**
 * How hard a new passphrase is to guess, in words. A profile's key envelope (and a sealed export)
 * can be copied and attacked offline, where PBKDF2's 600,000 iterations only slow each guess: a
 * passphrase must not be one of the first millions an attacker tries. The estimate is deliberately
 * small (no dictionary of its own beyond the most used passwords): length and words count most,
 * repeats, runs and well-known passwords are refused.
 */

/** The shortest passphrase accepted for a new key envelope or a sealed export. */
export const PASSPHRASE_MIN_LENGTH = 12;

export interface PassphraseStrength {
  /** `weak` is refused (`WEAK_PASSPHRASE`); `fair` and `strong` are accepted. */
  level: 'weak' | 'fair' | 'strong';
  /** One short sentence for the person choosing it. */
  reason: string;
}

/**
 * Among the most used passwords (compared without case, digits and symbols at the ends). Made on
 * first use: a set built at load would keep this module in every chunk that imports the SDK's index.
 */
let common: Set<string> | undefined;
const commonPasswords = () =>
  (common ??= new Set(
    (
      'password passw0rd passwort motdepasse contraseña qwerty qwertyuiop asdfgh asdfghjkl zxcvbn azerty ' +
      'letmein iloveyou welcome admin administrator monkey dragon master sunshine princess football baseball ' +
      'superman batman trustno abc abcdef abcdefg abcdefgh secret shadow freedom whatever starwars computer ' +
      'changeme default login access hello hellothere michael jennifer charlie summer winter spring autumn ' +
      'mypassword yourpassword thepassword passphrase mypassphrase correcthorsebatterystaple iloveyou lovely ' +
      'qazwsx qazwsxedc 1qaz2wsx zaq12wsx mneme'
    ).split(' '),
  ));
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiopasdfghjklzxcvbnm', 'azertyuiop'];

/** The strength of `passphrase`, with the reason. */
export function passphraseStrength(passphrase: string): PassphraseStrength {
  const text = typeof passphrase === 'string' ? passphrase.normalize('NFKC') : '';
  const lower = text.toLowerCase();
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '').replace(/[\s_.-]+/g, '');
  if ([...text].length < PASSPHRASE_MIN_LENGTH) {
    return { level: 'weak', reason: `Too short: at least ${PASSPHRASE_MIN_LENGTH} characters; a few words are easiest.` };
  }
  const known = commonPasswords();
  if (known.has(core) || known.has(lower.replace(/[\s_.-]+/g, '')) || repeatsOf(known, core)) {
    return { level: 'weak', reason: 'Weak: it is one of the most used passwords, tried first.' };
  }
  const distinct = new Set(lower).size;
  if (distinct < 5 || /^(.{1,4})\1+.{0,3}$/su.test(lower)) {
    return { level: 'weak', reason: 'Weak: it repeats the same few characters.' };
  }
  const compact = lower.replace(/\s+/g, '');
  if (/^\p{N}+$/u.test(compact)) return { level: 'weak', reason: 'Weak: digits only are quickly tried; use words.' };
  if (SEQUENCES.some((run) => run.includes(compact) || [...run].reverse().join('').includes(compact))) {
    return { level: 'weak', reason: 'Weak: it is a run of keys like abc or 123.' };
  }
  const words = lower.split(/[\s_.,;:/+-]+/).filter((word) => /\p{L}{2,}/u.test(word));
  if (words.length >= 4 && new Set(words).size >= 4) return { level: 'strong', reason: 'Strong: four or more words.' };
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((kind) => kind.test(text)).length;
  // A rough count of guesses, halved per character for human choice: length matters most.
  const bits = Math.min(text.length, distinct * 2) * Math.log2([0, 26, 52, 62, 94][classes]!) * 0.5;
  if (bits >= 50) return { level: 'strong', reason: 'Strong: long and varied.' };
  return {
    level: 'fair',
    reason: words.length >= 2 ? 'Fair: one or two more words make it strong.' : 'Fair: longer, or a few words, makes it strong.',
  };
}

/** A well-known password repeated or padded with digits ("passwordpassword", "letmein2024!"). */
function repeatsOf(common: Set<string>, core: string): boolean {
  const letters = core.replace(/[^\p{L}]+/gu, '');
  if (letters.length < 4) return false;
  if (common.has(letters)) return true;
  for (const word of common)
    if (word.length >= 4 && letters === word.repeat(Math.round(letters.length / word.length))) return true;
  return false;
}
