/**
 * comlink transfer handlers shared by both ends of the worker boundary:
 * - errors arrive as the same class: a MemoryError keeps its `code` and `details`;
 * - an AbortSignal becomes a MessagePort, and aborting it aborts a signal inside the worker.
 * Both ends call {@link registerTransferHandlers} before the first message.
 */
import * as Comlink from 'comlink';
import { MemoryError, isMemoryErrorCode } from '../sdk/errors';

interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
}

type Thrown = { value: unknown };

// comlink marks a thrown value with a private symbol; its own handler knows how to recognise it.
const isThrown = Comlink.transferHandlers.get('throw')!.canHandle;

const throwHandler: Comlink.TransferHandler<Thrown, { isError: true; value: WireError } | { isError: false; value: unknown }> = {
  canHandle: (value): value is Thrown => isThrown(value),
  serialize({ value }) {
    if (!(value instanceof Error)) return [{ isError: false, value }, []];
    const wire: WireError = { name: value.name, message: value.message };
    if (value.stack) wire.stack = value.stack;
    if (value instanceof MemoryError) {
      wire.code = value.code;
      if (value.details) wire.details = value.details;
    }
    return [{ isError: true, value: wire }, []];
  },
  deserialize(serialized) {
    if (!serialized.isError) throw serialized.value;
    const wire = serialized.value;
    const error = isMemoryErrorCode(wire.code)
      ? new MemoryError(wire.code, wire.message, wire.details ? { details: wire.details } : {})
      : Object.assign(new Error(wire.message), { name: wire.name });
    if (wire.stack) error.stack = wire.stack;
    throw error;
  },
};

const abortSignalHandler: Comlink.TransferHandler<AbortSignal, MessagePort> = {
  canHandle: (value): value is AbortSignal => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
  serialize(signal) {
    const { port1, port2 } = new MessageChannel();
    // The receiving side closes the channel once it has read the message; closing here right
    // after posting can drop the message in flight.
    const fire = () => port1.postMessage('abort');
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
    return [port2, [port2]];
  },
  deserialize(port) {
    const controller = new AbortController();
    port.onmessage = () => {
      controller.abort();
      port.close();
    };
    return controller.signal;
  },
};

let registered = false;

export function registerTransferHandlers(): void {
  if (registered) return;
  registered = true;
  Comlink.transferHandlers.set('throw', throwHandler as Comlink.TransferHandler<unknown, unknown>);
  Comlink.transferHandlers.set('mneme-abort-signal', abortSignalHandler as Comlink.TransferHandler<unknown, unknown>);
}

/** Marks the Float32Array buffers inside `value` for transfer; other values pass as they are. */
export function withTransfers<T>(value: T): T {
  const buffers = transferableVectors(value);
  return buffers.length > 0 ? Comlink.transfer(value, buffers) : value;
}

/**
 * The buffers of every Float32Array inside `value` (searched two levels deep) that can be
 * moved without moving anything else: a view onto part of a larger buffer is left to be copied.
 */
export function transferableVectors(value: unknown, depth = 3, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (value instanceof Float32Array) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) found.add(buffer);
  } else if (depth > 0 && typeof value === 'object' && value !== null) {
    for (const entry of Array.isArray(value) ? value : Object.values(value)) transferableVectors(entry, depth - 1, found);
  }
  return [...found];
}
