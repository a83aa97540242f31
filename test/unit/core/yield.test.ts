import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../../src/core/yield';

describe('yieldToEventLoop', () => {
  it('lets a message that already arrived run first, and wakes concurrent waiters in order', async () => {
    const seen: string[] = [];
    const { port1, port2 } = new MessageChannel();
    const delivered = new Promise<void>((resolve) => {
      port1.onmessage = () => {
        seen.push('message');
        resolve();
      };
    });
    port2.postMessage('abort');
    await Promise.all([1, 2, 3].map((n) => yieldToEventLoop().then(() => seen.push(`yield ${n}`))));
    await delivered;
    port1.close();
    expect(seen).toEqual(['message', 'yield 1', 'yield 2', 'yield 3']);
  });
});
