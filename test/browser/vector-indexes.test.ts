import { expect, it } from 'vitest';
import { describeVectorIndexContract } from '../contract/vector-index.contract';
import { createInt8Index } from '../../src/storage/vector/int8-index';

describeVectorIndexContract('Chromium');

it('scans int8 codes with WebAssembly SIMD in Chromium', () => {
  expect(createInt8Index(16).kernel).toBe('simd');
});
