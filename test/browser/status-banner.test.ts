/** The search-mode banner speaks plainly; the model id and the raw reason wait under "Technical details". */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import StatusBanner from '../../src/app/components/StatusBanner.svelte';
import type { EmbedderStatus, MemoryStatus, ReembedStatus } from '../../src/sdk/types';

const status = (embedder: EmbedderStatus, retrieval: MemoryStatus['retrieval']): MemoryStatus => ({
  profileId: 'default',
  mode: 'worker',
  memories: 3,
  encryption: { enabled: false, locked: false },
  retrieval,
  embedder,
});

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** The banner's sentence and its technical details, as text. */
function render(props: { status: MemoryStatus | undefined; reembedding?: ReembedStatus }) {
  const target = document.createElement('div');
  document.body.append(target);
  const banner = mount(StatusBanner, { target, props: { progress: undefined, ...props } });
  flushSync();
  cleanup = () => {
    unmount(banner);
    target.remove();
  };
  const text = (selector: string) => target.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim();
  return { sentence: text('[role="status"]'), details: text('details dl'), summary: text('details summary') };
}

describe('status banner', () => {
  it('says search understands meaning, with the model one click away', () => {
    const shown = render({ status: status({ state: 'ready', model: 'local/glove-sif-100d' }, 'hybrid') });
    expect(shown.sentence).toBe('Search understands meaning and words');
    expect(shown.summary).toBe('Technical details');
    expect(shown.details).toBe('Meaning model local/glove-sif-100d (ready) Search mode semantic + keyword');
  });

  it('names a failed download in plain words and keeps the raw error in the details', () => {
    const reason = 'Embedding model Xenova/all-MiniLM-L6-v2 failed to load: Failed to fetch';
    const shown = render({ status: status({ state: 'unavailable', model: 'Xenova/all-MiniLM-L6-v2', reason }, 'lexical') });
    expect(shown.sentence).toBe(
      'Searching by words only: the meaning model could not be downloaded (are you offline?). Searches match the words you type, not their meaning.',
    );
    expect(shown.sentence).not.toContain('Failed to fetch');
    expect(shown.details).toBe(
      `Meaning model Xenova/all-MiniLM-L6-v2 (unavailable) Search mode keyword (lexical) only Reason ${reason}`,
    );
  });

  it('tells a missing model from a broken one', () => {
    expect(
      render({ status: status({ state: 'disabled', reason: 'No embedding model is configured' }, 'lexical') }).sentence,
    ).toMatch(/^Searching by words only: no meaning model is set up\./);
    const broken = render({
      status: status({ state: 'unavailable', model: 'x/y', reason: 'Unsupported model type' }, 'lexical'),
    });
    expect(broken.sentence).toMatch(/^Searching by words only: the meaning model could not be loaded\./);
    expect(broken.details).toContain('Reason Unsupported model type');
  });

  it('counts re-embedding progress without naming the model outside the details', () => {
    const shown = render({
      status: status({ state: 'ready', model: 'local/glove-sif-100d' }, 'lexical'),
      reembedding: { model: 'local/glove-sif-100d', done: 4, total: 10 },
    });
    expect(shown.sentence).toBe(
      'Updating your memories for the new meaning model: 4 of 10. Search matches words only until it finishes.',
    );
    expect(shown.details).toContain('Meaning model local/glove-sif-100d');
  });

  it('shows no details before the memory has opened', () => {
    const shown = render({ status: undefined });
    expect(shown.sentence).toBe('Opening your memory…');
    expect(shown.summary).toBeUndefined();
  });
});
