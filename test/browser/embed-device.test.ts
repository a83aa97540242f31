/** Where embeddings run: the software WebGPU adapter of this browser is passed over for WASM; a forced WebGPU still embeds the same. */
import { describe, expect, it } from 'vitest';
import { embedDevice } from '../../src/models/transformers-env';
import { createTransformersEmbedder } from '../../src/models/transformers-embedder';

describe('embedding device', () => {
  it('chooses WASM over a software (SwiftShader) WebGPU adapter, and keeps a forced choice', async () => {
    expect(await embedDevice('auto')).toBe('wasm');
    expect(await embedDevice('webgpu')).toBe('webgpu');
    expect(await embedDevice('wasm')).toBe('wasm');
  });

  it('embeds the same vectors when WebGPU is forced (or falls back to WASM when the GPU cannot run the model)', async () => {
    const texts = ['I drink black coffee in the morning', 'The train to Lisbon leaves at nine'];
    const cpu = await createTransformersEmbedder({
      model: 'local/glove-sif-100d',
      modelsBaseUrl: '/models/',
      device: 'wasm',
    }).embed(texts);
    const gpu = await createTransformersEmbedder({
      model: 'local/glove-sif-100d',
      modelsBaseUrl: '/models/',
      device: 'webgpu',
    }).embed(texts);
    for (let i = 0; i < texts.length; i++) {
      let dot = 0;
      for (let d = 0; d < cpu[i]!.length; d++) dot += cpu[i]![d]! * gpu[i]![d]!;
      expect(dot).toBeGreaterThan(0.999);
    }
  });
});
