/**
 * The LLM worker's API over a real MessageChannel, with a model that streams a fixed story: the
 * reply resolves only once the page has every streamed token (they travel on the callback's own
 * channel), so a caller can trust the pieces it collected when the reply arrives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import type { GenerateOptions } from '../../../src/core/ports';
import type { LoadableChatModel } from '../../../src/models/chat-engine';
import { MemoryError } from '../../../src/sdk/errors';
import { createLlmWorkerApi } from '../../../src/worker/llm-api';
import type { LlmWorkerApi } from '../../../src/worker/llm-protocol';
import { registerTransferHandlers } from '../../../src/worker/transfer';

registerTransferHandlers();

const STORY = ['Once', ' upon', ' a', ' time', ' Lily', ' found', ' a', ' ball', '.'];
const SPEC = { engine: 'transformers', model: 'story' } as const;

/** Streams the story, then fails with `failure` if given, else returns it whole. */
function storyModel(failure?: MemoryError): LoadableChatModel {
  return {
    id: 'story',
    engine: 'transformers',
    load: async () => undefined,
    async generate(_messages, options: GenerateOptions = {}) {
      for (const piece of STORY) options.onToken?.(piece);
      if (failure) throw failure;
      return STORY.join('');
    },
  };
}

const channels: MessageChannel[] = [];
function connect(model: LoadableChatModel): Comlink.Remote<LlmWorkerApi> {
  const channel = new MessageChannel();
  channels.push(channel);
  Comlink.expose(
    createLlmWorkerApi(async () => model),
    channel.port1 as unknown as Comlink.Endpoint,
  );
  return Comlink.wrap<LlmWorkerApi>(channel.port2 as unknown as Comlink.Endpoint);
}
afterEach(() => channels.splice(0).forEach((c) => (c.port1.close(), c.port2.close())));

describe('the LLM worker API', () => {
  it.each([
    ['a reply', undefined],
    ['a failure', new MemoryError('LLM_OUTPUT_INVALID', 'The story went wrong')],
  ])('has delivered every streamed token when %s arrives', async (_case, failure) => {
    const remote = connect(storyModel(failure));
    await remote.load(SPEC);
    const pieces: string[] = [];
    const reply = remote.generate(
      [{ role: 'user', content: 'Tell me a story' }],
      {},
      undefined,
      Comlink.proxy((piece: string) => void pieces.push(piece)),
    );
    const outcome = await reply.then(
      (text) => text,
      (error: unknown) => error,
    );
    // Read at once, with no wait: the pieces are all there when the reply (or the error) is.
    expect(pieces).toEqual(STORY);
    expect(outcome).toEqual(failure ?? STORY.join(''));
  });
});
