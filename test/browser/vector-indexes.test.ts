import { expect, it } from 'vitest';
import { describeVectorIndexContract } from '../contract/vector-index.contract';
import { createInt8Index } from '../../src/storage/vector/int8-index';
import { decodeFloat16, fromFloat16 } from '../../src/storage/float16';

describeVectorIndexContract('Chromium');

it('scans int8 codes with WebAssembly SIMD in Chromium', () => {
  expect(createInt8Index(16).kernel).toBe('simd');
});

it("decodes every float16 bit pattern to its value with the table Chromium's Float16Array builds", () => {
  expect(typeof (globalThis as { Float16Array?: unknown }).Float16Array).toBe('function');
  const decoded = decodeFloat16(new Uint16Array(65536).map((_, bits) => bits));
  const wrong: number[] = [];
  for (let bits = 0; bits < 65536; bits++) if (!Object.is(decoded[bits], Math.fround(fromFloat16(bits)))) wrong.push(bits);
  expect(wrong).toEqual([]);
});
