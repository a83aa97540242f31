import type { ModelRecord } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { MODEL_PINS, pinnedRecords, revisionOf } from '../../../src/models/pins';

// Made-up values of the right shape, for the mechanism only (never used to load anything).
const COMMIT = 'a'.repeat(40);
const SRI = `sha256-${'A'.repeat(43)}=`;
const RECORD: ModelRecord = {
  model: 'https://huggingface.co/mlc-ai/Demo-MLC',
  model_id: 'Demo-MLC',
  model_lib: 'https://example.invalid/libs/Demo-webgpu.wasm',
};

describe('model pins', () => {
  it('loads a pinned commit, and main for a model without a pin or with a malformed one', () => {
    expect(revisionOf('org/model', { 'org/model': { revision: COMMIT } })).toBe(COMMIT);
    expect(revisionOf('org/other', { 'org/model': { revision: COMMIT } })).toBe('main');
    expect(revisionOf('org/model', { 'org/model': { revision: 'main;rm' } })).toBe('main');
    // No pin is recorded without a real commit read from the hub.
    for (const pin of Object.values(MODEL_PINS)) expect(pin.revision ?? COMMIT).toMatch(/^[0-9a-f]{40}$/);
  });

  it('points WebLLM weights at the pinned commit and attaches the integrity hashes it checks', () => {
    const [pinned] = pinnedRecords([RECORD], {
      'Demo-MLC': { revision: COMMIT, integrity: { model_lib: SRI, config: 'not-an-sri', tokenizer: { 'tokenizer.json': SRI } } },
    });
    expect(pinned).toEqual({
      ...RECORD,
      model: `https://huggingface.co/mlc-ai/Demo-MLC/resolve/${COMMIT}/`,
      integrity: { model_lib: SRI, tokenizer: { 'tokenizer.json': SRI }, onFailure: 'error' },
    });
    expect(pinnedRecords([RECORD], {})).toEqual([RECORD]);
  });
});
