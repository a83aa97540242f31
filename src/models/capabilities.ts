/**
 * What this browser can run: WebGPU (adapter, features, limits), `shader-f16`, cross-origin
 * isolation, device memory, storage, and from these the chat models that fit and the ones we
 * recommend. Works in a page and in a worker. `assessChatModels` is pure, so it is tested on
 * made-up devices as well as on the real (SwiftShader) adapter of the test browser.
 */
import { CHAT_CATALOG, type ChatCatalogEntry, type DeviceClass } from './chat-catalog';
import { EMBEDDER_CATALOG } from './catalog';

export interface GpuFacts {
  available: boolean;
  /** Why WebGPU is unusable, in words for the user. */
  reason?: string;
  adapter?: { vendor: string; architecture: string; device: string; description: string };
  /** A software rasteriser (SwiftShader, llvmpipe) or a fallback adapter: correct but very slow. */
  software: boolean;
  features: string[];
  shaderF16: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
}

export interface DeviceFacts {
  gpu: GpuFacts;
  /** `navigator.deviceMemory` (GB, capped at 8 by browsers); undefined where the browser hides it. */
  deviceMemoryGB?: number;
}

/** The technical reason a model cannot run here, for the details a curious person opens. */
export type ChatModelObstacle = 'no-webgpu' | 'no-shader-f16' | 'small-gpu-buffers' | 'low-memory';

export interface AssessedChatModel extends ChatCatalogEntry {
  runnable: boolean;
  /** Why it cannot run here, in a person's words, when it cannot. */
  reason?: string;
  obstacle?: ChatModelObstacle;
}

export interface Capabilities extends DeviceFacts {
  crossOriginIsolated: boolean;
  cores?: number;
  storage: { usage?: number; quota?: number; persisted?: boolean };
  deviceClass: DeviceClass;
  chatModels: AssessedChatModel[];
  recommended: { chatModel?: string; embedder: string };
}

/** Browsers report at most 8; unknown is treated as 4 (a mid-range device). */
const UNKNOWN_MEMORY_GB = 4;
/** Share of device memory a model may take (the page, the OS and other tabs need the rest). */
const MEMORY_SHARE = 0.5;
/** WebLLM's larger models need storage buffers of 1 GiB; smaller ones run with less. */
const LARGE_MODEL_VRAM_MB = 2048;

export async function detectCapabilities(): Promise<Capabilities> {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  const [gpu, storage] = await Promise.all([detectGpu(nav), detectStorage(nav)]);
  const facts: DeviceFacts = { gpu, ...(typeof nav?.deviceMemory === 'number' ? { deviceMemoryGB: nav.deviceMemory } : {}) };
  const chatModels = assessChatModels(facts);
  const recommendedChat = recommendChatModel(facts, chatModels);
  return {
    ...facts,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    ...(nav?.hardwareConcurrency ? { cores: nav.hardwareConcurrency } : {}),
    storage,
    deviceClass: deviceClass(facts),
    chatModels,
    recommended: { ...(recommendedChat ? { chatModel: recommendedChat } : {}), embedder: EMBEDDER_CATALOG[0]!.id },
  };
}

export function deviceClass(facts: DeviceFacts): DeviceClass {
  const memory = facts.deviceMemoryGB ?? UNKNOWN_MEMORY_GB;
  if (memory >= 8 && facts.gpu.available && !facts.gpu.software && facts.gpu.limits.maxStorageBufferBindingSize >= 2 ** 30) {
    return 'high';
  }
  return memory >= 4 ? 'mid' : 'low';
}

/** Every catalog model with whether it can run on this device and, if not, why. */
export function assessChatModels(facts: DeviceFacts, catalog: readonly ChatCatalogEntry[] = CHAT_CATALOG): AssessedChatModel[] {
  const budgetMB = (facts.deviceMemoryGB ?? UNKNOWN_MEMORY_GB) * 1024 * MEMORY_SHARE;
  return catalog.map((entry) => {
    const obstacle = entry.engine === 'webllm' ? webgpuObstacle(entry, facts.gpu, budgetMB) : undefined;
    if (!obstacle) return { ...entry, runnable: true };
    return { ...entry, runnable: false, obstacle, reason: explain(obstacle, entry, catalog) };
  });
}

function webgpuObstacle(entry: ChatCatalogEntry, gpu: GpuFacts, budgetMB: number): ChatModelObstacle | undefined {
  if (!gpu.available) return 'no-webgpu';
  if (entry.needsF16 && !gpu.shaderF16) return 'no-shader-f16';
  if (entry.vramMB > LARGE_MODEL_VRAM_MB && gpu.limits.maxStorageBufferBindingSize < 2 ** 30) return 'small-gpu-buffers';
  if (entry.vramMB > budgetMB) return 'low-memory';
  return undefined;
}

function explain(obstacle: ChatModelObstacle, entry: ChatCatalogEntry, catalog: readonly ChatCatalogEntry[]): string {
  switch (obstacle) {
    case 'no-webgpu':
      return 'needs the graphics chip, which this browser does not let it use';
    case 'no-shader-f16': {
      const twin = catalog.find((other) => other.id === entry.id.replace('q4f16', 'q4f32') && other.id !== entry.id);
      return `this graphics chip can’t run this version${twin ? ` — choose ${twin.label}` : ''}`;
    }
    case 'small-gpu-buffers':
      return 'too large for this graphics chip';
    case 'low-memory':
      return `needs about ${Math.round(entry.vramMB)} MB of graphics memory; this device has too little`;
  }
}

/** A model the first run may offer by itself: it can run here, holds a conversation, does the memory work, and is no test model. */
const recommendable = (entry: AssessedChatModel) =>
  entry.runnable && entry.instruct && entry.structuredOutput !== false && entry.fixture !== true;

/**
 * The default chat model for this device: the WebLLM model meant for its class (f16 when the GPU
 * has it), the CPU model when WebGPU is missing or only a software adapter exists (WebLLM on a
 * software rasteriser is correct but far too slow to chat with). Only a model the device can run
 * is ever returned; `available` (the models a local folder offers) narrows the choice further,
 * and when nothing meant for the device class fits, the smallest model that can run is chosen.
 */
export function recommendChatModel(
  facts: DeviceFacts,
  assessed = assessChatModels(facts),
  available?: readonly string[],
): string | undefined {
  const klass = deviceClass(facts);
  const candidates = assessed.filter((entry) => recommendable(entry) && (!available || available.includes(entry.id)));
  const forClass = candidates.filter((entry) => entry.recommendedFor?.includes(klass));
  const fastGpu = facts.gpu.available && !facts.gpu.software;
  if (fastGpu) {
    const gpuModels = forClass.filter((entry) => entry.engine === 'webllm');
    const pick = gpuModels.find((entry) => entry.needsF16 === facts.gpu.shaderF16) ?? gpuModels[0];
    if (pick) return pick.id;
  }
  const cpu = forClass.find((entry) => entry.engine === 'transformers');
  if (cpu) return cpu.id;
  const bySize = [...candidates].sort((a, b) => a.downloadMB - b.downloadMB);
  return (bySize.find((entry) => fastGpu === (entry.engine === 'webllm')) ?? bySize[0])?.id;
}

const NO_LIMITS = { maxBufferSize: 0, maxStorageBufferBindingSize: 0, maxComputeWorkgroupStorageSize: 0 };

async function detectGpu(nav: Navigator | undefined): Promise<GpuFacts> {
  const none = (reason: string): GpuFacts => ({
    available: false,
    reason,
    software: false,
    features: [],
    shaderF16: false,
    limits: NO_LIMITS,
  });
  const gpu = (nav as (Navigator & { gpu?: GPU }) | undefined)?.gpu;
  if (!gpu) {
    return none(
      globalThis.isSecureContext === false
        ? 'this page is not a secure context (https or localhost)'
        : 'this browser does not offer WebGPU',
    );
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return none(`the GPU adapter request failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!adapter) return none('no GPU adapter is available (blocked, or no supported GPU)');
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const features = [...adapter.features].map(String).sort();
  const description = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    available: true,
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
    },
    software: fallback || /swiftshader|llvmpipe|software|basic render/i.test(description),
    features,
    shaderF16: features.includes('shader-f16'),
    limits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
    },
  };
}

async function detectStorage(nav: Navigator | undefined): Promise<Capabilities['storage']> {
  const storage = nav?.storage;
  if (!storage) return {};
  const [estimate, persisted] = await Promise.all([
    storage.estimate?.().catch(() => undefined),
    storage.persisted?.().catch(() => undefined),
  ]);
  return {
    ...(estimate?.usage !== undefined ? { usage: estimate.usage } : {}),
    ...(estimate?.quota !== undefined ? { quota: estimate.quota } : {}),
    ...(persisted !== undefined ? { persisted } : {}),
  };
}
