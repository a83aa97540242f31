/**
 * One SDK call arriving in the memory worker (`WorkerApi.invoke`): finds the engine's method by
 * its path and answers only once every progress report and streamed token it sent to the caller
 * has been delivered (see deliveries.ts).
 */
import { MemoryError } from '../sdk/errors';
import { answerAfterDeliveries, Deliveries } from './deliveries';
import { joinCallOptions, type CallCallbacks, type MethodPath } from './protocol';

export async function invokeMethod(
  engine: object,
  path: MethodPath,
  args: unknown[],
  signal?: AbortSignal,
  callbacks?: CallCallbacks,
): Promise<unknown> {
  const [group, name] = path.split('.') as [string, string | undefined];
  const owner = (name ? (engine as Record<string, unknown>)[group] : engine) as Record<string, unknown> | undefined;
  const method = owner?.[name ?? group];
  if (typeof method !== 'function') throw new MemoryError('INVALID_ARGUMENT', `Unknown method ${path}`);
  const deliveries = new Deliveries();
  const tracked: CallCallbacks | undefined = callbacks && {
    ...(callbacks.onProgress ? { onProgress: deliveries.track(callbacks.onProgress) } : {}),
    ...(callbacks.onToken ? { onToken: deliveries.track(callbacks.onToken) } : {}),
  };
  return answerAfterDeliveries(deliveries, async () => await method.apply(owner, joinCallOptions(args, signal, tracked)));
}
