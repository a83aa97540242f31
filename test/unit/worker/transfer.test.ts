import { afterEach, describe, expect, it } from 'vitest';
import * as Comlink from 'comlink';
import { MemoryError } from '../../../src/sdk/errors';
import { joinCallOptions, splitCallOptions } from '../../../src/worker/protocol';
import { registerTransferHandlers } from '../../../src/worker/transfer';

registerTransferHandlers();

interface Service {
  fail(code: 'NOT_FOUND' | 'QUOTA_EXCEEDED'): Promise<void>;
  failPlain(): Promise<void>;
  waitForAbort(signal: AbortSignal): Promise<string>;
}

const channels: MessageChannel[] = [];
function connect(service: Service): Comlink.Remote<Service> {
  const channel = new MessageChannel();
  channels.push(channel);
  Comlink.expose(service, channel.port1 as unknown as Comlink.Endpoint);
  return Comlink.wrap<Service>(channel.port2 as unknown as Comlink.Endpoint);
}
afterEach(() => channels.splice(0).forEach((c) => (c.port1.close(), c.port2.close())));

describe('worker transfer handlers over a real MessageChannel', () => {
  const service: Service = {
    fail: async (code) => {
      throw new MemoryError(code, `failed with ${code}`, { details: { limit: 5 } });
    },
    failPlain: async () => {
      throw new TypeError('plain failure');
    },
    waitForAbort: (signal) =>
      new Promise((resolve) => signal.addEventListener('abort', () => resolve('aborted on the far side'), { once: true })),
  };

  it('delivers a MemoryError as the same class with its code and details', async () => {
    const remote = connect(service);
    const error = await remote.fail('QUOTA_EXCEEDED').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemoryError);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', message: 'failed with QUOTA_EXCEEDED', details: { limit: 5 } });
  });

  it('delivers other errors as Error with their name and message', async () => {
    const error = await connect(service)
      .failPlain()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MemoryError);
    expect(error).toMatchObject({ name: 'TypeError', message: 'plain failure' });
  });

  it('aborts a signal on the far side when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = connect(service).waitForAbort(controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe('aborted on the far side');
  });

  it('moves signal and progress callback out of the options and back in', () => {
    const signal = new AbortController().signal;
    const onProgress = () => undefined;
    const split = splitCallOptions(['query', { limit: 3, signal, onProgress }]);
    expect(split.args).toEqual(['query', { limit: 3 }]);
    expect(joinCallOptions(split.args, split.signal, split.callbacks)).toEqual(['query', { limit: 3, signal, onProgress }]);
    expect(splitCallOptions(['id', { text: 'x' }]).args).toEqual(['id', { text: 'x' }]);
  });
});
