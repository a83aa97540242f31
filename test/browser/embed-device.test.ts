/**
 * Where embeddings run: on WebGPU when the adapter is a hardware GPU, on WASM when there is none
 * or it is a software rasteriser (SwiftShader in CI); a forced choice is kept. A forced WebGPU
 * still embeds the same vectors.
 */
import { describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/models/capabilities';
import { embedDevice } from '../../src/models/transformers-env';
import { createTransformersEmbedder } from '../../src/models/transformers-embedder';

describe('embedding device', () => {
  it('chooses WebGPU only on a hardware adapter, as the capability report judges it, and keeps a forced choice', async () => {
    const { gpu } = await detectCapabilities();
    expect(await embedDevice('auto')).toBe(gpu.available && !gpu.software ? 'webgpu' : 'wasm');
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
