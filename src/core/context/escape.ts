/**
 * Memory text is data, never instructions: inside the prompt it is escaped so it can never close
 * a section, open a new one or forge a tag. `&`, `<` and `>` become entities; nothing else changes.
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One line of a section: escaped, and without line breaks that could fake a new entry. */
export function escapeLine(text: string): string {
  return escapeText(text)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
}
