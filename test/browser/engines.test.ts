/**
 * The chat engines in real Chromium, with what this machine really has: its WebGPU adapter
 * (SwiftShader in CI, a real GPU elsewhere; the checks follow the adapter's features and limits),
 * the 260K-parameter TinyStories Llama served at /models/, and no MLC weights (no network):
 * WebLLM is tested up to the typed error for missing files.
 */
import { describe, expect, it } from 'vitest';
import { detectCapabilities } from '../../src/models/capabilities';
import { createChatModel, deleteCachedModel, listCachedModels } from '../../src/models/llm-client';
import { createMemoryClient, type MemoryError, type ProgressEvent } from '../../src/sdk/index';

const STORY = 'karpathy/tinyllamas-stories260K';

describe('capabilities (whatever WebGPU adapter this browser has)', () => {
  it('reports what the adapter can do, keeps f16 models off without shader-f16, and recommends what runs', async () => {
    const caps = await detectCapabilities();
    const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    expect(caps.gpu.available).toBe(Boolean(adapter));
    if (!adapter) {
      expect(caps.chatModels.filter((m) => m.engine === 'webllm').every((m) => !m.runnable && m.reason)).toBe(true);
    } else {
      expect(caps.gpu.features).toEqual([...adapter.features].map(String).sort());
      expect(caps.gpu.shaderF16).toBe(adapter.features.has('shader-f16'));
      expect(caps.gpu.limits).toEqual({
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      });
      expect(caps.gpu.limits.maxBufferSize).toBeGreaterThan(0);
      // A fallback adapter is software whatever it calls itself.
      if ((adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter)
        expect(caps.gpu.software).toBe(true);
      // A small f32 WebLLM model runs on any adapter.
      expect(caps.chatModels.find((m) => m.id === 'SmolLM2-360M-Instruct-q4f32_1-MLC')?.runnable).toBe(true);
    }
    const f16 = caps.chatModels.filter((m) => m.needsF16);
    if (!caps.gpu.shaderF16) expect(f16.every((m) => !m.runnable && m.obstacle === 'no-shader-f16')).toBe(true);
    const recommended = caps.chatModels.find((m) => m.id === caps.recommended.chatModel);
    expect(recommended?.runnable).toBe(true);
    // WebLLM on a software rasteriser (or without WebGPU) is far too slow to chat with: the CPU engine is recommended.
    if (caps.gpu.software || !caps.gpu.available) expect(recommended?.engine).toBe('transformers');
    if (recommended?.needsF16) expect(caps.gpu.shaderF16).toBe(true);
    expect(caps.storage.quota).toBeGreaterThan(0);
    expect(typeof caps.crossOriginIsolated).toBe('boolean');
  });
});

describe('CPU engine (transformers.js, WASM) in the LLM worker', () => {
  it('streams a real model token by token and stops at once on abort', async () => {
    const model = createChatModel({ engine: 'transformers', model: STORY }, { modelsBaseUrl: '/models/' });
    const progress: ProgressEvent[] = [];
    await model.load((event) => progress.push(event));
    expect(progress.at(-1)?.phase).toBe('ready');

    const pieces: string[] = [];
    const reply = await model.generate([{ role: 'user', content: 'Once upon a time' }], {
      temperature: 0,
      maxTokens: 40,
      onToken: (piece) => pieces.push(piece),
    });
    // Every piece is in when the reply is (the worker answers only once the page has taken them all).
    expect(pieces.join('').trim()).toBe(reply);
    expect(pieces.length).toBeGreaterThan(5);
    expect(reply).toMatch(/Lily|little|girl|day/);

    const controller = new AbortController();
    const stopped: string[] = [];
    const long = model.generate([{ role: 'user', content: 'Tom had a big red' }], {
      maxTokens: 500,
      temperature: 0.9,
      signal: controller.signal,
      onToken: (piece) => {
        stopped.push(piece);
        if (stopped.length === 4) controller.abort();
      },
    });
    await expect(long).rejects.toMatchObject({ code: 'ABORTED' });
    expect(stopped.length).toBeLessThan(12);
    // The worker is still usable after a stop.
    expect(await model.generate([{ role: 'user', content: 'Once upon a time' }], { temperature: 0, maxTokens: 8 })).not.toBe('');
    await model.dispose?.();
  });

  it('sends a non-JSON answer through one retry, then LLM_OUTPUT_INVALID, and writes nothing', async () => {
    const client = await createMemoryClient({
      profileId: `engines${Date.now()}`,
      embedder: false,
      modelsBaseUrl: '/models/',
      chatModel: { engine: 'transformers', model: STORY },
    });
    await expect(
      client.memories.remember([
        { role: 'user', content: 'I live in Berlin' },
        { role: 'assistant', content: 'Noted.' },
      ]),
    ).rejects.toMatchObject({ code: 'LLM_OUTPUT_INVALID' });
    expect(await client.memories.count()).toBe(0);
    await client.close();
  });
});

describe('WebLLM engine in the LLM worker', () => {
  it('refuses an f16 model on a GPU without shader-f16 with WEBGPU_UNAVAILABLE and the reason', async () => {
    const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    const model = createChatModel(
      { engine: 'webllm', model: 'SmolLM2-360M-Instruct-q4f16_1-MLC' },
      { modelsBaseUrl: '/models/mlc' },
    );
    const failure = await model.load().catch((error: unknown) => error);
    if (adapter?.features.has('shader-f16')) {
      // This GPU has the feature: the model gets as far as its (missing) files.
      expect(failure).toMatchObject({ name: 'MemoryError', code: 'MODEL_NOT_FOUND' });
    } else {
      expect(failure).toMatchObject({ name: 'MemoryError', code: 'WEBGPU_UNAVAILABLE' });
      if (adapter) {
        // A person reads why in plain words; the technical cause travels in the details.
        expect((failure as Error).message).toMatch(/can’t run this version — choose .*\(compatible\)/);
        expect((failure as MemoryError).details).toMatchObject({ obstacle: 'no-shader-f16' });
      } else expect((failure as Error).message).toMatch(/WebGPU/);
    }
    await model.dispose?.();
  });

  it('starts, reports progress, and names missing model files with MODEL_NOT_FOUND', async () => {
    const model = createChatModel(
      { engine: 'webllm', model: 'SmolLM2-360M-Instruct-q4f32_1-MLC' },
      { modelsBaseUrl: '/models/mlc' },
    );
    const progress: ProgressEvent[] = [];
    const failure = await model.load((event) => progress.push(event)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'MemoryError', code: 'MODEL_NOT_FOUND' });
    expect(progress.map((event) => event.phase)).toEqual(expect.arrayContaining(['load', 'download']));
    await model.dispose?.();
  });
});

describe('model cache manager', () => {
  it('lists cached model files with their size and deletes them', async () => {
    const cache = await caches.open('transformers-cache');
    const url = 'https://huggingface.co/HuggingFaceTB/SmolLM2-135M-Instruct/resolve/main/onnx/model_q4.onnx';
    await cache.put(url, new Response(new Uint8Array(12_345), { headers: { 'content-length': '12345' } }));
    const listed = await listCachedModels();
    expect(listed).toContainEqual({ id: 'HuggingFaceTB/SmolLM2-135M-Instruct', engine: 'transformers', bytes: 12_345 });
    await deleteCachedModel('HuggingFaceTB/SmolLM2-135M-Instruct');
    expect((await listCachedModels()).map((m) => m.id)).not.toContain('HuggingFaceTB/SmolLM2-135M-Instruct');
  });
});
