/** A host page: memory through the `mneme` package, and the prompt it would send to its own LLM. */
import { createMemoryClient, isMemoryError, type SearchResult } from 'mneme';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');

// Models from the hub, or from the app itself with VITE_MNEME_MODELS=/models/ in .env (see the README).
const client = await createMemoryClient({ profileId: 'vanilla-host', modelsBaseUrl: import.meta.env.VITE_MNEME_MODELS });

async function showStatus(): Promise<void> {
  const info = await client.status();
  status.textContent = `Ready (${info.mode}): ${info.memories} memories, ${info.retrieval} search${
    info.embedder.reason ? ` (${info.embedder.reason})` : ''
  }`;
}

function show(results: SearchResult[]): void {
  $('results').replaceChildren(
    ...results.map((result) => {
      const item = document.createElement('li');
      item.textContent = `${result.item.text} (score ${result.score.toFixed(3)})`;
      return item;
    }),
  );
}

$('add-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>('note');
  try {
    await client.memories.add(input.value);
    input.value = '';
  } catch (error) {
    status.textContent = isMemoryError(error) ? `${error.code}: ${error.message}` : String(error);
    return;
  }
  await showStatus();
});

$('search-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const query = $<HTMLInputElement>('query').value;
  show(await client.memories.search(query));
  const context = await client.context.build(query);
  $('context').textContent = context.prompt;
});

await showStatus();
