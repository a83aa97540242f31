/**
 * Chat models the SDK knows by id, for both engines: WebLLM on WebGPU (a curated subset of
 * WebLLM's prebuilt list) and the transformers.js fallback on WASM. VRAM figures are WebLLM's own
 * (`vram_required_MB` in @mlc-ai/web-llm 0.2.86); download sizes are estimates from parameter count
 * × bits per weight, shown to the user before a download starts. This module imports no engine.
 */

export type ChatEngineKind = 'webllm' | 'transformers';

export interface ChatCatalogEntry {
  /** The engine's model id (WebLLM `model_id`, or a transformers.js `org/name`). */
  id: string;
  engine: ChatEngineKind;
  /** Short name for menus. */
  label: string;
  /** Approximate download, in megabytes. */
  downloadMB: number;
  /** GPU memory the model needs (WebLLM), in megabytes; 0 for the WASM engine. */
  vramMB: number;
  /** Tokens of context the model is run with. */
  contextLength: number;
  /** Needs the WebGPU `shader-f16` feature (f16 weights or activations). */
  needsF16: boolean;
  /** transformers.js weight type (`q4`, `fp32`, …); the model's own default when absent. */
  dtype?: string;
  /** Device class it is the recommended default for. */
  recommendedFor?: DeviceClass[];
  /** False for models that only continue text (plumbing tests). */
  instruct: boolean;
  /**
   * False for a model that cannot answer in a given JSON schema: the memory work after a reply
   * (facts, profile, summary) is not given to it; the user's own words are kept instead.
   */
  structuredOutput?: boolean;
  /** A test model: listed only where a local models folder provides it, never recommended. */
  fixture?: boolean;
  description: string;
}

/** `high`: ≥ 8 GB device memory and a GPU with big buffers; `mid`: ≥ 4 GB; `low`: the rest. */
export type DeviceClass = 'high' | 'mid' | 'low';

const webllm = (
  id: string,
  label: string,
  downloadMB: number,
  vramMB: number,
  needsF16: boolean,
  description: string,
  recommendedFor?: DeviceClass[],
): ChatCatalogEntry => ({
  id,
  engine: 'webllm',
  label,
  downloadMB,
  vramMB,
  contextLength: 4096,
  needsF16,
  instruct: true,
  description,
  ...(recommendedFor ? { recommendedFor } : {}),
});

export const CHAT_CATALOG: readonly ChatCatalogEntry[] = [
  webllm('SmolLM2-360M-Instruct-q4f16_1-MLC', 'SmolLM2 360M', 210, 376, true, 'Smallest useful chat model.', ['low']),
  webllm(
    'SmolLM2-360M-Instruct-q4f32_1-MLC',
    'SmolLM2 360M (compatible)',
    230,
    580,
    false,
    'Smallest; runs on more graphics chips.',
    ['low'],
  ),
  webllm(
    'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    'Qwen2.5 0.5B',
    290,
    945,
    true,
    'Small, good at picking out facts, many languages.',
  ),
  webllm(
    'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    'Qwen2.5 0.5B (compatible)',
    310,
    1060,
    false,
    'Small, good at picking out facts; runs on more graphics chips.',
  ),
  webllm('Llama-3.2-1B-Instruct-q4f16_1-MLC', 'Llama 3.2 1B', 700, 879, true, 'Balanced quality and speed.', ['mid']),
  webllm(
    'Llama-3.2-1B-Instruct-q4f32_1-MLC',
    'Llama 3.2 1B (compatible)',
    720,
    1129,
    false,
    'Balanced; runs on more graphics chips.',
    ['mid'],
  ),
  webllm('Qwen2.5-1.5B-Instruct-q4f16_1-MLC', 'Qwen2.5 1.5B', 870, 1630, true, 'Better answers and extraction.'),
  webllm(
    'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
    'Qwen2.5 1.5B (compatible)',
    900,
    1889,
    false,
    'Better answers; runs on more graphics chips.',
  ),
  webllm('SmolLM2-1.7B-Instruct-q4f16_1-MLC', 'SmolLM2 1.7B', 960, 1774, true, 'Larger SmolLM2.'),
  webllm('Llama-3.2-3B-Instruct-q4f16_1-MLC', 'Llama 3.2 3B', 1750, 2264, true, 'Strong on a good graphics chip.', ['high']),
  webllm(
    'Llama-3.2-3B-Instruct-q4f32_1-MLC',
    'Llama 3.2 3B (compatible)',
    1800,
    2952,
    false,
    'Strong; runs on more graphics chips.',
    ['high'],
  ),
  webllm('Phi-3.5-mini-instruct-q4f16_1-MLC', 'Phi-3.5 mini', 2150, 3672, true, 'Largest here; best reasoning.'),
  {
    id: 'HuggingFaceTB/SmolLM2-360M-Instruct',
    engine: 'transformers',
    label: 'SmolLM2 360M (on the processor)',
    downloadMB: 260,
    vramMB: 0,
    contextLength: 2048,
    needsF16: false,
    dtype: 'q4',
    instruct: true,
    recommendedFor: ['high', 'mid'],
    description: 'Runs on the processor, no graphics chip needed. Slower, just as private.',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    engine: 'transformers',
    label: 'SmolLM2 135M (on the processor)',
    downloadMB: 120,
    vramMB: 0,
    contextLength: 2048,
    needsF16: false,
    dtype: 'q4',
    instruct: true,
    recommendedFor: ['low'],
    description: 'Tiny; runs on the processor of any device.',
  },
  {
    id: 'karpathy/tinyllamas-stories260K',
    engine: 'transformers',
    label: 'TinyStories 260K (test model)',
    downloadMB: 1.2,
    vramMB: 0,
    contextLength: 512,
    needsF16: false,
    instruct: false,
    structuredOutput: false,
    fixture: true,
    description: 'Continues children’s stories to test the app offline; it cannot hold a conversation or pick out facts.',
  },
];

export function findChatModel(id: string): ChatCatalogEntry | undefined {
  return CHAT_CATALOG.find((entry) => entry.id === id);
}

/** Whether the memory work (facts, profile, summary) can be given to this catalog model; unknown models are trusted. */
export function followsSchemas(id: string): boolean {
  return findChatModel(id)?.structuredOutput !== false;
}
