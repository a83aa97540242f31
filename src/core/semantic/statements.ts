/**
 * What a message states, without what it asks. When the user's own words are kept as memories
 * (no chat model to extract facts), a question is not knowledge about them: "What is my name and
 * where do I live?" must not become a memory that outranks "I live in Lisbon". The conversation
 * keeps every word; only long-term memory leaves the questions out. A sentence where a "do not
 * remember" rule withheld something is left out too: what remains of it is not worth keeping.
 */
import { withheldIn } from '../../sdk/privacy';

/** An unpunctuated sentence that opens like a question: "what is …", "do you …", "can I …". */
const ASKS =
  /^(?:(?:what|where|who|whom|whose|which|why|how|when)(?:'s|\s+(?:is|are|was|were|am|do|does|did|can|could|would|should|will|have|has|had|many|much|long|far|old|often)\b)|(?:do|does|did|can|could|would|should|will|is|are|am|was|were|have|has)\s+(?:i|you|we|they|he|she|it|my|your|our|their|the|there|this|that)\b)/i;

/** The sentences of `text` that are neither questions nor withheld in part, joined again; '' when none is left. */
export function statementsOf(text: string): string {
  const sentences = text.match(/[^.!?\n]+(?:[.!?]+|\n|$)/g) ?? [];
  return sentences
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence && !isQuestion(sentence) && withheldIn(sentence).length === 0)
    .join(' ')
    .trim();
}

export function isQuestion(sentence: string): boolean {
  const trimmed = sentence.trim();
  if (trimmed.endsWith('?')) return true;
  // Typed without a question mark: the word order still asks.
  return !/[.!]$/.test(trimmed) && ASKS.test(trimmed);
}
