/**
 * The disk suite's page, served by the dev server: the SDK on `window`, and a scripted chat model
 * whose summaries carry the text the test gives it.
 */
import { createMemoryClient, type ChatModel } from '../../../src/sdk/index';

function summaryModel(summary: string): ChatModel {
  return {
    id: 'test/disk-model',
    async generate(messages) {
      const system = messages[0]?.content ?? '';
      if (system.startsWith('Extract')) return JSON.stringify({ facts: [] });
      if (system.includes('structured profile')) return JSON.stringify({ patches: [] });
      if (system.startsWith('Update the running summary')) return JSON.stringify({ summary });
      return 'Noted.';
    },
  };
}

Object.assign(window, { createMemoryClient, summaryModel });
document.body.dataset.ready = 'true';
