/**
 * An SDK call through the memory worker's `invoke`, over a real MessageChannel, with a method that
 * streams pieces and reports progress before it answers: the answer (or the failure) reaches the
 * caller only after every piece and report has, since they travel on the callbacks' own channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { MemoryError } from '../../../src/sdk/errors';
import { invokeMethod } from '../../../src/worker/invoke';
import { splitCallOptions, type CallCallbacks, type MethodPath } from '../../../src/worker/protocol';
import { registerTransferHandlers } from '../../../src/worker/transfer';

registerTransferHandlers();

const PIECES = ['The', ' blue', ' drawer', ' holds', ' the', ' passport', '.'];

/** An engine whose `chat.send` streams the pieces with a progress report each, then answers or fails. */
function engine(failure?: MemoryError) {
  return {
    chat: {
      async send(
        text: string,
        options: { onToken?: (piece: string) => void; onProgress?: (done: number, total: number) => void },
      ) {
        PIECES.forEach((piece, index) => {
          options.onToken?.(piece);
          options.onProgress?.(index + 1, PIECES.length);
        });
        if (failure) throw failure;
        return `${text}: ${PIECES.join('')}`;
      },
    },
  };
}

type Invoke = { invoke(path: MethodPath, args: unknown[], signal?: AbortSignal, callbacks?: CallCallbacks): Promise<unknown> };
const channels: MessageChannel[] = [];
function connect(failure?: MemoryError): Comlink.Remote<Invoke> {
  const channel = new MessageChannel();
  channels.push(channel);
  const target = engine(failure);
  Comlink.expose(
    {
      invoke: (path: MethodPath, args: unknown[], signal?: AbortSignal, callbacks?: CallCallbacks) =>
        invokeMethod(target, path, args, signal, callbacks),
    },
    channel.port1 as unknown as Comlink.Endpoint,
  );
  return Comlink.wrap<Invoke>(channel.port2 as unknown as Comlink.Endpoint);
}
afterEach(() => channels.splice(0).forEach((c) => (c.port1.close(), c.port2.close())));

describe('the memory worker answering a call', () => {
  it.each([
    ['an answer', undefined],
    ['a failure', new MemoryError('LLM_OUTPUT_INVALID', 'The reply went wrong')],
  ])('has delivered every streamed piece and progress report when %s arrives', async (_case, failure) => {
    const remote = connect(failure);
    const pieces: string[] = [];
    const progress: number[] = [];
    // What the client does with a call's trailing options (worker-client.ts `call`).
    const split = splitCallOptions([
      'Where is my passport',
      { onToken: (piece: string) => void pieces.push(piece), onProgress: (done: number) => void progress.push(done) },
    ]);
    const outcome = await remote
      .invoke('chat.send', split.args, split.signal, split.callbacks && Comlink.proxy(split.callbacks))
      .then(
        (answer) => answer,
        (error: unknown) => error,
      );
    // Read at once, with no wait: everything streamed is there when the answer (or the error) is.
    expect(pieces).toEqual(PIECES);
    expect(progress).toEqual(PIECES.map((_, index) => index + 1));
    expect(outcome).toEqual(failure ?? `Where is my passport: ${PIECES.join('')}`);
  });

  it('refuses a method the engine does not have', async () => {
    await expect(connect().invoke('chat.nothing' as MethodPath, [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
