import type { Engine } from '@infernet/engines';
import { createNodeRunner, detectGpus, toCapabilities, type GpuDetection } from '@infernet/gpu';
import { sanitizeNodeSpecs, type GpuCapability, type NodeSpecs } from '@infernet/protocol';

export type GpuDetector = () => Promise<GpuDetection>;

export const detectLocalGpus: GpuDetector = () => detectGpus({ run: createNodeRunner() });

export interface ServedModels {
  served: string[];
  /** Configured models the engine does not have (not pulled yet). */
  missing: string[];
  /** Set when the engine could not be asked at all. */
  engineError?: unknown;
}

/**
 * The models this node offers: what the engine has, narrowed to the
 * configured list when there is one. A configured "qwen2.5" matches the
 * engine's "qwen2.5:latest", as Ollama itself resolves it.
 */
export async function listServedModels(
  engine: Engine,
  configured: readonly string[],
  signal?: AbortSignal,
): Promise<ServedModels> {
  let available: string[];
  try {
    available = (await engine.listModels(signal ? { signal } : {})).map((model) => model.name);
  } catch (error) {
    return { served: [], missing: [...configured], engineError: error };
  }
  if (configured.length === 0) return { served: available, missing: [] };
  const served: string[] = [];
  const missing: string[] = [];
  for (const wanted of configured) {
    const match = available.find((name) => name === wanted || name === `${wanted}:latest`);
    if (match) served.push(match);
    else missing.push(wanted);
  }
  return { served, missing };
}

/**
 * The only specs a node sends: coarse GPU capabilities and model names.
 * Passed through the protocol's sanitiser as well, so nothing else (no
 * hostname, platform, CPU or RAM) can slip in by accident.
 */
export function buildNodeSpecs(
  capabilities: { gpus: GpuCapability[]; gpu_count: number },
  servedModels: readonly string[],
): NodeSpecs {
  return sanitizeNodeSpecs({
    gpus: capabilities.gpus,
    gpu_count: capabilities.gpu_count,
    served_models: servedModels,
  });
}

/** GPU capabilities, or none when detection itself fails: a CPU node can still serve. */
export async function detectCapabilities(
  detect: GpuDetector,
): Promise<{ gpus: GpuCapability[]; gpu_count: number }> {
  try {
    return toCapabilities((await detect()).gpus);
  } catch {
    return { gpus: [], gpu_count: 0 };
  }
}
