/**
 * A light English stemmer for keyword search: plural and verb endings fold together so "paints",
 * "painted" and "painting" meet "paint", and "hiking" meets "hike". Deliberately conservative
 * (no -er, -al, -ness…): a wrong merge costs precision everywhere, a missed one only recall.
 * Words with digits or non-ASCII letters are left as they are.
 */
const VOWEL = /[aeiouy]/;
const DOUBLE = /(bb|dd|ff|gg|mm|nn|pp|rr|tt)$/;

export function stem(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let w = word;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  for (const suffix of ['ing', 'ed']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      const base = w.slice(0, -suffix.length);
      if (VOWEL.test(base)) {
        w = DOUBLE.test(base) ? base.slice(0, -1) : base;
        break;
      }
    }
  }
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  // A final silent e goes, so "hike" and "hiking" (→ "hik") meet.
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}
