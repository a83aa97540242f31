/**
 * Lets pending events run (an abort message from the host, another tab's broadcast) between units
 * of long work. Awaiting only promises never yields: a worker busy in a promise chain would see
 * its cancel message only when the whole job is done. A MessageChannel round trip queues the
 * continuation behind messages that already arrived (scheduler.yield would run it ahead of them).
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}
