/** Which chat models a device can run, and which we recommend, on made-up devices. */
import { describe, expect, it } from 'vitest';
import {
  assessChatModels,
  deviceClass,
  recommendChatModel,
  type DeviceFacts,
  type GpuFacts,
} from '../../../src/models/capabilities';
import { CHAT_CATALOG } from '../../../src/models/chat-catalog';

const GiB = 2 ** 30;
const gpu = (overrides: Partial<GpuFacts> = {}): GpuFacts => ({
  available: true,
  software: false,
  features: ['shader-f16'],
  shaderF16: true,
  limits: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB, maxComputeWorkgroupStorageSize: 32768 },
  ...overrides,
});
const device = (memory: number | undefined, g: GpuFacts): DeviceFacts => ({
  gpu: g,
  ...(memory ? { deviceMemoryGB: memory } : {}),
});
const runnable = (facts: DeviceFacts) =>
  assessChatModels(facts)
    .filter((m) => m.runnable)
    .map((m) => m.id);

describe('chat model catalog and device capabilities', () => {
  it('lists instruct models of both engines with their sizes', () => {
    const webllm = CHAT_CATALOG.filter((m) => m.engine === 'webllm');
    expect(webllm.map((m) => m.id)).toEqual(
      expect.arrayContaining(['SmolLM2-360M-Instruct-q4f16_1-MLC', 'Llama-3.2-1B-Instruct-q4f32_1-MLC']),
    );
    expect(CHAT_CATALOG.every((m) => m.downloadMB > 0 && m.contextLength >= 512)).toBe(true);
    expect(CHAT_CATALOG.filter((m) => m.engine === 'transformers' && m.instruct).length).toBeGreaterThanOrEqual(2);
  });

  it('runs every model on a strong GPU and recommends a 3B model there', () => {
    const facts = device(8, gpu());
    expect(deviceClass(facts)).toBe('high');
    expect(runnable(facts)).toHaveLength(CHAT_CATALOG.length);
    expect(recommendChatModel(facts)).toBe('Llama-3.2-3B-Instruct-q4f16_1-MLC');
  });

  it('keeps f16 models off a GPU without shader-f16, with the reason, and recommends an f32 build', () => {
    const facts = device(8, gpu({ features: [], shaderF16: false }));
    const assessed = assessChatModels(facts);
    const f16 = assessed.filter((m) => m.needsF16);
    expect(f16.length).toBeGreaterThan(3);
    expect(f16.every((m) => !m.runnable && m.obstacle === 'no-shader-f16')).toBe(true);
    // The reason is in a person's words and names the version that does run.
    expect(assessed.find((m) => m.id === 'SmolLM2-360M-Instruct-q4f16_1-MLC')?.reason).toBe(
      'this graphics chip can’t run this version — choose SmolLM2 360M (compatible)',
    );
    expect(recommendChatModel(facts)).toBe('Llama-3.2-3B-Instruct-q4f32_1-MLC');
  });

  it('recommends an f32 build on a mid-range GPU without shader-f16, and an f16 one with it', () => {
    const without = device(4, gpu({ features: [], shaderF16: false }));
    expect(deviceClass(without)).toBe('mid');
    expect(recommendChatModel(without)).toBe('Llama-3.2-1B-Instruct-q4f32_1-MLC');
    expect(recommendChatModel(device(4, gpu()))).toBe('Llama-3.2-1B-Instruct-q4f16_1-MLC');
  });

  it('recommends only a model the device can run, never a test model, on every kind of device', () => {
    const devices: DeviceFacts[] = [
      device(8, gpu()),
      device(8, gpu({ features: [], shaderF16: false })),
      device(4, gpu({ features: [], shaderF16: false })),
      device(2, gpu({ features: [], shaderF16: false })),
      device(1, gpu({ features: [], shaderF16: false })),
      device(1, gpu()),
      device(
        0.5,
        gpu({ limits: { maxBufferSize: GiB / 4, maxStorageBufferBindingSize: GiB / 8, maxComputeWorkgroupStorageSize: 16384 } }),
      ),
      device(undefined, gpu({ software: true, features: [], shaderF16: false })),
      device(2, gpu({ available: false, reason: 'this browser does not offer WebGPU', features: [], shaderF16: false })),
    ];
    for (const facts of devices) {
      const assessed = assessChatModels(facts);
      const pick = assessed.find((m) => m.id === recommendChatModel(facts, assessed));
      expect(pick, JSON.stringify(facts)).toBeDefined();
      expect(pick!.runnable).toBe(true);
      expect(pick!.instruct && pick!.structuredOutput !== false && !pick!.fixture).toBe(true);
    }
    // A tiny GPU budget without f16: no WebGPU build fits, so the small CPU model is chosen.
    expect(recommendChatModel(device(1, gpu({ features: [], shaderF16: false })))).toBe('HuggingFaceTB/SmolLM2-135M-Instruct');
  });

  it('recommends nothing rather than a test model when a models folder offers only that', () => {
    const facts = device(undefined, gpu({ software: true, features: [], shaderF16: false }));
    expect(recommendChatModel(facts, assessChatModels(facts), ['karpathy/tinyllamas-stories260K'])).toBeUndefined();
    expect(
      recommendChatModel(facts, assessChatModels(facts), [
        'karpathy/tinyllamas-stories260K',
        'HuggingFaceTB/SmolLM2-135M-Instruct',
      ]),
    ).toBe('HuggingFaceTB/SmolLM2-135M-Instruct');
  });

  it('keeps models that need more GPU memory than a small device has', () => {
    const facts = device(2, gpu());
    expect(deviceClass(facts)).toBe('low');
    const ids = runnable(facts);
    expect(ids).toContain('SmolLM2-360M-Instruct-q4f16_1-MLC');
    expect(ids).not.toContain('Llama-3.2-3B-Instruct-q4f16_1-MLC');
    expect(recommendChatModel(facts)).toBe('SmolLM2-360M-Instruct-q4f16_1-MLC');
  });

  it('falls back to the CPU engine without WebGPU, and on a software adapter', () => {
    const none = device(
      8,
      gpu({ available: false, reason: 'this browser does not offer WebGPU', features: [], shaderF16: false }),
    );
    expect(
      assessChatModels(none)
        .filter((m) => m.engine === 'webllm')
        .every((m) => m.obstacle === 'no-webgpu' && m.reason?.includes('graphics chip')),
    ).toBe(true);
    expect(recommendChatModel(none)).toBe('HuggingFaceTB/SmolLM2-360M-Instruct');
    const swiftshader = device(undefined, gpu({ software: true, features: [], shaderF16: false }));
    expect(recommendChatModel(swiftshader)).toBe('HuggingFaceTB/SmolLM2-360M-Instruct');
  });
});
