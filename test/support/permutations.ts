/** Arrival orders for merge tests: every permutation of up to 4 items; a seeded sample of 24 beyond. */
export function permutations<T>(items: readonly T[], seed = 1): T[][] {
  if (items.length <= 4) {
    if (items.length <= 1) return [[...items]];
    return items.flatMap((first, i) =>
      permutations([...items.slice(0, i), ...items.slice(i + 1)], seed).map((rest) => [first, ...rest]),
    );
  }
  const out: T[][] = [];
  let state = seed || 1;
  for (let n = 0; n < 24; n++) {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const j = state % (i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    out.push(copy);
  }
  return out;
}
