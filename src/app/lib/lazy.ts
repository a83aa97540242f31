/**
 * A part of the app loaded when it is first shown: the first call starts the download, later calls
 * get the same promise (so an `{#await}` over it does not flash), and a failed download (offline, a
 * new version replaced the chunk) is tried again on the next call.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
