/**
 * The relevance floor: a search with nothing relevant returns nothing.
 *
 * A memory is a candidate when it shares a content word with the query (lexical hit) or when its
 * dense similarity stands clearly above what this embedder gives unrelated text. Embedders differ
 * a lot there (averaged word vectors score unrelated English at 0.3–0.6, sentence transformers near
 * 0.0–0.2), so the floor is measured, not assumed: the query is compared with a fixed set of
 * everyday sentences on unrelated subjects (the background), embedded once per model as passages,
 * and a dense-only candidate must clear
 *
 *   floor = b + margin · (1 − b),   b = mean cosine of the query with the background.
 *
 * `margin` is the share of the distance between "as similar as random text" and "identical" a
 * memory must cover. It is chosen by cross-validation on the LoCoMo dev split (README).
 */
/** Plain sentences on unrelated everyday subjects; none is about anything a user is likely to ask. */
export const BACKGROUND_TEXTS: readonly string[] = [
  'The train leaves the station at seven in the morning.',
  'Add two cups of flour and stir until smooth.',
  'The meeting was moved to the third floor conference room.',
  'Rain is expected across the region this weekend.',
  'She replaced the battery in the remote control.',
  'The museum is closed on public holidays.',
  'Water boils at a lower temperature at high altitude.',
  'The invoice must be paid within thirty days.',
  'He parked the car behind the grocery store.',
  'The library extended its opening hours.',
  'A new bridge will connect the two districts.',
  'Please turn off the lights when you leave.',
  'The printer on the second floor is out of paper.',
  'Tomatoes grow best in full sun.',
  'The match ended in a draw after extra time.',
  'Our flight was delayed by an hour.',
];

export const RELEVANCE_DEFAULTS = {
  /** Share of the way from the background similarity to 1 a dense-only candidate must reach. */
  margin: 0.05,
} as const;

/** Cosine of two vectors (the embedders give unit vectors; this does not rely on it). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** The floor for one query: background similarity `b` raised by `margin` of the way to 1. */
export function denseFloor(query: Float32Array, background: readonly Float32Array[], margin: number): number {
  if (background.length === 0 || margin <= 0) return -Infinity;
  const b = background.reduce((sum, vector) => sum + cosine(query, vector), 0) / background.length;
  return b + Math.min(1, margin) * (1 - b);
}

/** The background vectors of the current model, embedded on first use and kept per model id. */
export class Background {
  #model: string | undefined;
  #vectors: Promise<Float32Array[] | undefined> | undefined;

  /** `embedPassages` embeds as stored memories are embedded (passage prefixes included). */
  vectors(
    model: string | undefined,
    embedPassages: (texts: string[]) => Promise<Float32Array[] | undefined>,
  ): Promise<Float32Array[] | undefined> {
    if (model === undefined) return Promise.resolve(undefined);
    if (this.#model !== model || !this.#vectors) {
      this.#model = model;
      const pending = embedPassages([...BACKGROUND_TEXTS]).then((vectors) => {
        // A model that could not embed them is asked again next time.
        if (!vectors || vectors.length !== BACKGROUND_TEXTS.length) this.#vectors = undefined;
        return vectors;
      });
      this.#vectors = pending.catch(() => {
        this.#vectors = undefined;
        return undefined;
      });
    }
    return this.#vectors;
  }
}
