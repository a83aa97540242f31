/**
 * A token count for when no model tokenizer is loaded: the larger of characters / 4 and
 * words × 4/3, the two usual rules of thumb for English BPE vocabularies. It errs high on
 * purpose (a budget is a ceiling). Replace it with the active model's tokenizer when one is loaded.
 */
import type { Tokenizer } from '../ports';

export const estimateTokenizer: Tokenizer = {
  count(text: string): number {
    if (text.length === 0) return 0;
    const words = text.split(/\s+/).filter(Boolean).length;
    return Math.max(Math.ceil(text.length / 4), Math.ceil((words * 4) / 3));
  },
};
