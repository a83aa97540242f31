import { expect, it } from 'vitest';

interface ComputeResult {
  output?: number[];
  error?: string;
  features?: string[];
}

it('runs a WebGPU compute shader inside a Worker and reads the numbers back', async () => {
  const worker = new Worker(new URL('./fixtures/webgpu-compute.worker.ts', import.meta.url), { type: 'module' });
  const result = await new Promise<ComputeResult>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ComputeResult>) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message));
  });
  worker.terminate();
  expect(result.error).toBeUndefined();
  expect(result.output).toHaveLength(256);
  expect(result.output!.slice(0, 4)).toEqual([1, 3, 5, 7]);
  expect(result.output![255]).toBe(511);
});
