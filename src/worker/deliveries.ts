/**
 * A callback handed across a comlink boundary runs on its own channel while the call's answer
 * travels on the call's, and messages on two channels can arrive in either order: a reply could
 * reach the caller before the last streamed token. {@link Deliveries} counts the calls made to such
 * callbacks so whoever answers can first wait until the other side has run each of them (a
 * proxied callback's call resolves once it ran there).
 */
export class Deliveries {
  readonly #pending: Promise<unknown>[] = [];

  /** `callback`, with every call counted (a failed delivery is not the answer's failure). */
  track<A extends unknown[]>(callback: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => void this.#pending.push(Promise.resolve(callback(...args)).catch(() => undefined));
  }

  /** Resolves once every call counted so far has run on the other side. */
  async settled(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.splice(0));
  }
}

/** Answers `work` only after every call it made to the tracked callbacks was delivered. */
export async function answerAfterDeliveries<T>(deliveries: Deliveries, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await deliveries.settled();
  }
}
