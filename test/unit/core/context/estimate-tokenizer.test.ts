import { beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { estimateTokenizer, estimateTokens } from '../../../../src/core/context/estimate-tokenizer';

/** English texts of the kinds a prompt holds; the figures in estimate-tokenizer.ts cover these and more. */
const SAMPLES = {
  chat: "Hey, can you remind me what I said about my trip to Lisbon last week? I think I mentioned I'd be flying out on the 14th and staying near Alfama, but I can't remember whether I booked the hotel or just looked at it.",
  memories:
    '- [fact · 2026-03-14] Lives in Lisbon since March 2026\n- [preference · 2025-11-02] Prefers short answers with examples\n- [fact · 2025-01-20] Works as a backend engineer at a logistics startup',
  story:
    'Once upon a time, a little girl named Lily found a shiny red ball in the park. She wanted to play with it, but a big dog was sitting next to it. Lily was scared, but she said hello to the dog, and the dog wagged its tail.',
  technical:
    'The vector index stores unit-length Float32Array embeddings; a flat scan computes 384 dot products per memory, so 10,000 memories cost about 3.8 million multiply-adds per query.',
  summary:
    'The user, Alex, discussed moving from Berlin to Lisbon. They signed a lease for an apartment in Alfama starting 1 March, asked for a checklist of paperwork (NIF, bank account, health registration) and decided to ship their bike rather than sell it.',
  email:
    "Hi Sam,\n\nThanks for sending the Q3 report. I've gone through sections 2 and 4; the churn numbers look off by about 1.5% compared with the dashboard. Could we sync on Thursday at 10:30?\n\nBest,\nPriya",
  recipe:
    'Preheat the oven to 200°C. Whisk two eggs with 150 ml of milk, a pinch of salt and 100 g of flour until smooth, then let the batter rest for thirty minutes.',
  dialogue:
    "user: I don't think that's right, it's supposed to be the other way round.\nassistant: You're right, I'd swapped them. The correct order is: install, configure, then restart the service.",
};

type Counter = (text: string) => number;
const wordPiece: Record<string, Counter> = {};

beforeAll(async () => {
  env.localModelPath = `${process.env.MNEME_MODELS}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  for (const model of ['fixtures/toy-bow-embedder-384', 'local/glove-sif-100d']) {
    const tokenizer = await AutoTokenizer.from_pretrained(model);
    wordPiece[model] = (text) => tokenizer.encode(text, { add_special_tokens: false }).length;
  }
});

describe('estimate tokenizer', () => {
  it('counts nothing as nothing and is the builder-facing port of estimateTokens', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokenizer.count('Lives in Lisbon')).toBe(estimateTokens('Lives in Lisbon'));
  });

  it('prices a common word at one token, long words by their length, digits in groups of three', () => {
    expect(estimateTokens('the cat sat on the mat')).toBe(6);
    expect(estimateTokens('internationalization')).toBe(3);
    expect(estimateTokens('2026-11-25')).toBe(6); // 202 6 - 11 - 25, as GPT-4's tokenizer splits it
    expect(estimateTokens('</role>')).toBe(3);
  });

  it('counts Chinese one token per character, where a chars / 4 rule would count a quarter', () => {
    const text = '我上个月搬到了里斯本';
    expect(estimateTokens(text)).toBe(10);
    expect(Math.ceil(text.length / 4)).toBe(3);
  });

  it.each(['fixtures/toy-bow-embedder-384', 'local/glove-sif-100d'])(
    'stays close to the WordPiece tokenizer of %s on English prompt texts',
    (model) => {
      const errors = Object.values(SAMPLES).map((text) => {
        const real = wordPiece[model]!(text);
        return (estimateTokens(text) - real) / real;
      });
      const meanAbsolute = errors.reduce((sum, e) => sum + Math.abs(e), 0) / errors.length;
      expect(meanAbsolute).toBeLessThan(0.12);
      for (const error of errors) expect(Math.abs(error)).toBeLessThan(0.25);
    },
  );
});
