/**
 * Invisible format characters never enter memory or a prompt. They let a text say one thing to a
 * person and another to a model: Unicode tag characters (U+E0000–E007F) spell ASCII that no screen
 * shows but tokenizers read; bidi overrides and isolates (U+202A–202E, U+2066–2069) show a text in
 * an order other than the one the model reads; zero-width characters (U+200B–200D, U+2060,
 * U+FEFF) split a word a filter or a person looks for ("ig" + U+200B + "nore"); a run of variation selectors
 * after one character can carry a whole hidden message. So `stripInvisible` removes every Unicode
 * format character (general category Cf, which holds all of the above and the soft hyphen, the
 * bidi marks, the invisible math operators, the interlinear annotation marks, …), the Hangul
 * filler letters that render as nothing (U+3164, U+FFA0), and every variation selector but the
 * first after a character.
 *
 * What legitimate text needs is kept (decided and tested in test/unit/core/invisible.test.ts):
 * - a zero-width joiner between two emoji (👩‍💻, 👨‍👩‍👧: the family stays one family);
 * - a zero-width joiner or non-joiner between two letters of a script that spells with them
 *   (Persian "می‌خواهم", Hindi "क्‍ष", Sinhala, …); in Latin, Greek or Cyrillic text they only
 *   split words, so there they go;
 * - tag characters inside the three subdivision flags Unicode recommends (England, Scotland,
 *   Wales: 🏴 + `gbeng` / `gbsct` / `gbwls` + cancel tag); any other tag sequence could spell a
 *   hidden instruction and is removed whole (the black flag stays);
 * - the prepended concatenation marks (Arabic number sign U+0600–0605, U+06DD, U+070F, U+0890–0891,
 *   U+08E2, U+110BD, U+110CD): format characters by category, but visible;
 * - one variation selector after a character (❤️ is ❤ + U+FE0F; CJK ideographic variants).
 */

// eslint-disable-next-line no-misleading-character-class -- the class lists variation selectors one by one on purpose
const SUSPECT = /[\p{Cf}\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const FORMAT = /^\p{Cf}$/u;
const VISIBLE_FORMAT = /^[\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u{110BD}\u{110CD}]$/u;
const FILLERS = /^[\u3164\uFFA0]$/u;
const VARIATION = /^[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]$/u;
const EMOJI_BEFORE = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F\u20E3]$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}$/u;
/** Letters and marks of the scripts that use ZWJ/ZWNJ for spelling (shaping, conjuncts, half forms). */
const JOINING_SCRIPT =
  /^[\p{scx=Arab}\p{scx=Syrc}\p{scx=Thaa}\p{scx=Nkoo}\p{scx=Mong}\p{scx=Deva}\p{scx=Beng}\p{scx=Guru}\p{scx=Gujr}\p{scx=Orya}\p{scx=Taml}\p{scx=Telu}\p{scx=Knda}\p{scx=Mlym}\p{scx=Sinh}\p{scx=Khmr}\p{scx=Mymr}\p{scx=Tibt}]$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
const BLACK_FLAG = '\u{1F3F4}';
const CANCEL_TAG = '\u{E007F}';
/** The subdivision flags Unicode recommends for general use, spelled in tag characters. */
const FLAG_TAGS = new Set(['gbeng', 'gbsct', 'gbwls']);

const isJoiner = (char: string) => char === '\u200C' || char === '\u200D';
const isTag = (char: string) => {
  const code = char.codePointAt(0)!;
  return code >= 0xe0000 && code <= 0xe007f;
};
const spellsInScript = (char: string | undefined) => char !== undefined && LETTER_OR_MARK.test(char) && JOINING_SCRIPT.test(char);

/** How many characters after `start` (the black flag) form a recommended subdivision flag; 0 when none. */
function flagLength(chars: readonly string[], start: number): number {
  let spelled = '';
  for (let i = start + 1; i < chars.length && i <= start + 7; i++) {
    if (chars[i] === CANCEL_TAG) return FLAG_TAGS.has(spelled) ? i - start : 0;
    if (!isTag(chars[i]!)) return 0;
    spelled += String.fromCodePoint(chars[i]!.codePointAt(0)! - 0xe0000);
  }
  return 0;
}

/** `text` without invisible format characters (see the module notes for what is kept and why). */
export function stripInvisible(text: string): string {
  if (!SUSPECT.test(text)) return text;
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === BLACK_FLAG) {
      const length = flagLength(chars, i);
      out.push(...chars.slice(i, i + length + 1));
      i += length;
      continue;
    }
    const before = out.at(-1);
    if (VARIATION.test(char)) {
      // One selector after a character; none at the start, after a format character or after another selector.
      if (before !== undefined && !VARIATION.test(before) && !FORMAT.test(before)) out.push(char);
      continue;
    }
    if (FILLERS.test(char)) continue;
    if (!FORMAT.test(char) || VISIBLE_FORMAT.test(char)) {
      out.push(char);
      continue;
    }
    if (!isJoiner(char)) continue;
    const after = chars[i + 1];
    const emoji =
      char === '\u200D' && before !== undefined && after !== undefined && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(after);
    if (emoji || (spellsInScript(before) && spellsInScript(after))) out.push(char);
  }
  return out.join('');
}
