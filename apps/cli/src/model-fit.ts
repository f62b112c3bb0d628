import type { EngineModel } from '@infernet/engines';
import type { DetectedGpu } from '@infernet/gpu';

/**
 * Will a model fit this node's memory? An estimate, before loading
 * anything: the weights, plus the KV cache for a context window, plus the
 * runtime's own buffers, against the GPUs' memory (or system RAM on a CPU
 * node). Upstream advertised models that did not fit and lost 7 of 39
 * jobs to out-of-memory on load; a node now advertises only what fits.
 *
 * Unknown stays unknown: a model with no size, no parameter count and no
 * size in its name is not refused (an OpenAI-compatible server has already
 * loaded what it lists).
 */

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Ollama's default context window (`num_ctx`), the one the node's requests run with. */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/**
 * Bytes per parameter by quantization, from the GGUF block layouts
 * (bits per weight / 8): Q4_K_M is 4.85 bits, Q8_0 8.5 bits. The names are
 * Ollama's `quantization_level` and the usual tag suffixes.
 */
const BYTES_PER_PARAMETER: Readonly<Record<string, number>> = {
  F32: 4,
  F16: 2,
  FP16: 2,
  BF16: 2,
  FP8: 1,
  Q8_0: 1.0625,
  Q8: 1.0625,
  INT8: 1,
  Q6_K: 0.8203,
  Q5_K_M: 0.7109,
  Q5_K_S: 0.6875,
  Q5_1: 0.75,
  Q5_0: 0.6875,
  Q4_K_M: 0.6055,
  Q4_K_S: 0.5703,
  Q4_1: 0.625,
  Q4_0: 0.5625,
  INT4: 0.5625,
  AWQ: 0.5625,
  GPTQ: 0.5625,
  Q3_K_L: 0.5137,
  Q3_K_M: 0.4883,
  Q3_K_S: 0.4297,
  Q2_K: 0.3281,
};

/** What Ollama's default tags ship (`llama3.1:8b` is Q4_K_M). */
export const DEFAULT_QUANTIZATION = 'Q4_K_M';

export interface MemoryBudget {
  /** Memory a model may use, in bytes. */
  bytes: number;
  /** Where it comes from, for messages: "1 × NVIDIA H100 80GB HBM3 (79.6 GiB VRAM)". */
  description: string;
  source: 'gpu' | 'unified' | 'system';
}

/**
 * The memory models can use: the GPUs' VRAM added up (Ollama splits a
 * model's layers across GPUs); on Apple Silicon three quarters of the
 * unified memory (what macOS lets the GPU wire by default); on a CPU node
 * 80% of system RAM, leaving the rest to the OS.
 */
export function memoryBudget(
  gpus: readonly DetectedGpu[],
  systemMemoryBytes: number,
): MemoryBudget {
  const dedicated = gpus.filter((gpu) => !gpu.unifiedMemory && gpu.vramMegabytes !== null);
  if (dedicated.length > 0) {
    const bytes = dedicated.reduce((sum, gpu) => sum + (gpu.vramMegabytes ?? 0) * MIB, 0);
    const names = [...new Set(dedicated.map((gpu) => gpu.model))].join(', ');
    return {
      bytes,
      description: `${dedicated.length} × ${names} (${formatBytes(bytes)} VRAM)`,
      source: 'gpu',
    };
  }
  const unified = gpus.find((gpu) => gpu.unifiedMemory && gpu.vramMegabytes !== null);
  if (unified) {
    const bytes = Math.floor((unified.vramMegabytes ?? 0) * MIB * 0.75);
    return {
      bytes,
      description: `${unified.model} (${formatBytes(bytes)} of unified memory usable by the GPU)`,
      source: 'unified',
    };
  }
  const bytes = Math.floor(systemMemoryBytes * 0.8);
  return { bytes, description: `no GPU: ${formatBytes(bytes)} of system RAM`, source: 'system' };
}

export interface ModelFacts {
  name: string;
  /** The weights' size as the engine reports it (Ollama: the GGUF files). */
  sizeBytes?: number | null;
  parameterCount?: number;
  quantization?: string;
}

export interface MemoryEstimate {
  weightsBytes: number;
  contextBytes: number;
  overheadBytes: number;
  totalBytes: number;
  /** How the weights were sized. */
  basis: 'engine size' | 'parameters' | 'name';
}

/** "llama3.1:405b" → 405e9, "qwen2.5:0.5b-instruct" → 5e8, "mixtral:8x7b" → 56e9. */
export function parameterCountFromName(name: string): number | undefined {
  const match = /(?:^|[:\-_/])(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])(?=$|[-_:.])/i.exec(name);
  if (!match) return undefined;
  const experts = match[1] ? Number(match[1]) : 1;
  const scale = match[3]!.toLowerCase() === 'b' ? 1e9 : 1e6;
  return Math.round(experts * Number(match[2]) * scale);
}

/** "qwen2.5:7b-instruct-q8_0" → "Q8_0"; undefined when the tag names none. */
export function quantizationFromName(name: string): string | undefined {
  const tag = name.split(':')[1] ?? '';
  for (const part of tag.toUpperCase().split(/-(?=[A-Z0-9])/)) {
    if (part in BYTES_PER_PARAMETER) return part;
  }
  return undefined;
}

export function bytesPerParameter(quantization: string | undefined): number {
  const key = (quantization ?? DEFAULT_QUANTIZATION).toUpperCase();
  // Unknown schemes (IQ3_XXS, MXFP4 …) are sized as Q4_K_M: close for most, and the fit keeps a margin.
  return BYTES_PER_PARAMETER[key] ?? (BYTES_PER_PARAMETER[DEFAULT_QUANTIZATION] as number);
}

/**
 * The KV cache for `contextTokens`: 2 (keys and values) × layers × KV heads
 * × head size × 2 bytes (f16). Without the architecture, ~16 KiB per
 * token per billion parameters (Llama 3.1 8B: 128 KiB per token), at least
 * 32 KiB (Llama 3.2 1B).
 */
export function contextBytes(parameterCount: number, contextTokens: number): number {
  const perToken = Math.max(32 * 1024, (parameterCount / 1e9) * 16 * 1024);
  return Math.round(perToken * contextTokens);
}

/**
 * Estimates the memory a model needs once loaded, or undefined when nothing
 * says how big it is.
 */
export function estimateModelMemory(
  model: ModelFacts,
  { contextTokens = DEFAULT_CONTEXT_TOKENS }: { contextTokens?: number } = {},
): MemoryEstimate | undefined {
  const fromName = parameterCountFromName(model.name);
  const parameterCount = model.parameterCount ?? fromName;
  const quantization = model.quantization ?? quantizationFromName(model.name);
  let weightsBytes: number;
  let basis: MemoryEstimate['basis'];
  if (typeof model.sizeBytes === 'number' && model.sizeBytes > 0) {
    weightsBytes = model.sizeBytes;
    basis = 'engine size';
  } else if (parameterCount !== undefined) {
    weightsBytes = Math.round(parameterCount * bytesPerParameter(quantization));
    basis = model.parameterCount === undefined ? 'name' : 'parameters';
  } else {
    return undefined;
  }
  // Without a parameter count, size the cache as a model whose weights are Q4_K_M.
  const parameters = parameterCount ?? weightsBytes / bytesPerParameter(DEFAULT_QUANTIZATION);
  const context = contextBytes(parameters, contextTokens);
  // CUDA/Metal context and compute buffers: a fixed floor, or 10% of the weights for big models.
  const overheadBytes = Math.round(Math.max(512 * MIB, weightsBytes * 0.1));
  return {
    weightsBytes,
    contextBytes: context,
    overheadBytes,
    totalBytes: weightsBytes + context + overheadBytes,
    basis,
  };
}

export interface ModelFit {
  /** True or false when the estimate is known; null when nothing says how big the model is. */
  fits: boolean | null;
  estimate: MemoryEstimate | undefined;
  availableBytes: number;
}

export function checkFit(
  model: ModelFacts,
  budget: MemoryBudget,
  options?: { contextTokens?: number },
): ModelFit {
  const estimate = estimateModelMemory(model, options);
  return {
    fits: estimate === undefined ? null : estimate.totalBytes <= budget.bytes,
    estimate,
    availableBytes: budget.bytes,
  };
}

/** A predicate for `listServedModels`: a model that will not fit is not advertised. */
export function fitsBudget(budget: MemoryBudget): (model: EngineModel) => boolean {
  return (model) => checkFit(model, budget).fits !== false;
}

/** "4.9 GiB", "512 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) {
    const gib = bytes / GIB;
    return `${gib.toFixed(gib < 100 ? 1 : 0)} GiB`;
  }
  return `${Math.round(bytes / MIB)} MiB`;
}

/**
 * Models to suggest, smallest first, from Ollama's library: all are
 * chat models at Ollama's default Q4_K_M tags.
 */
export const SUGGESTED_MODELS: readonly string[] = [
  'qwen2.5:0.5b',
  'llama3.2:1b',
  'llama3.2:3b',
  'qwen2.5:7b',
  'llama3.1:8b',
  'qwen2.5:14b',
  'gemma3:27b',
  'qwen2.5:32b',
  'llama3.3:70b',
];

/** On a CPU node, larger models fit in RAM but answer at a token or two per second. */
const CPU_MAX_SUGGESTED_PARAMETERS = 8e9;

/** The largest suggestions that fit, biggest first (on a CPU node, none over 8B parameters). */
export function suggestModels(budget: MemoryBudget, count = 3): string[] {
  const usable = (name: string) =>
    budget.source !== 'system' ||
    (parameterCountFromName(name) ?? Infinity) <= CPU_MAX_SUGGESTED_PARAMETERS;
  return SUGGESTED_MODELS.filter((name) => usable(name) && checkFit({ name }, budget).fits === true)
    .reverse()
    .slice(0, count);
}
