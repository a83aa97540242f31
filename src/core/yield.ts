/**
 * Lets pending events run (an abort message from the host, another tab's broadcast) between units
 * of long work. Awaiting only promises never yields: a worker busy in a promise chain would see
 * its cancel message only when the whole job is done. A MessageChannel round trip queues the
 * continuation behind messages that already arrived (scheduler.yield would run it ahead of them).
 * One channel serves every yield (a new channel per yield cost more than the hop itself); its
 * messages arrive in order, each waking the oldest waiter.
 */
let channel: MessagePort | undefined;
const waiting: (() => void)[] = [];

export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => waiting.shift()?.();
    // Node: an idle channel must not keep the process alive.
    for (const port of [port1, port2]) (port as MessagePort & { unref?: () => void }).unref?.();
    channel = port2;
  }
  const port = channel;
  return new Promise((resolve) => {
    waiting.push(resolve);
    port.postMessage(null);
  });
}
