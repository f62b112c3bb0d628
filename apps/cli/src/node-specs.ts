import type { Engine, EngineModel } from '@infernet/engines';
import { createNodeRunner, detectGpus, toCapabilities, type GpuDetection } from '@infernet/gpu';
import { sanitizeNodeSpecs, type GpuCapability, type NodeSpecs } from '@infernet/protocol';

export type GpuDetector = () => Promise<GpuDetection>;

export const detectLocalGpus: GpuDetector = () => detectGpus({ run: createNodeRunner() });

export interface ServedModels {
  served: string[];
  /** Configured models the engine does not have (not pulled yet). */
  missing: string[];
  /** Models the engine has that will not fit this node's memory, so are not advertised. */
  tooLarge?: string[];
  /** Set when the engine could not be asked at all. */
  engineError?: unknown;
}

/**
 * The models this node offers: what the engine has and fits (when `fits`
 * is given), narrowed to the configured list when there is one. A configured "qwen2.5" matches the
 * engine's "qwen2.5:latest", as Ollama itself resolves it.
 */
export async function listServedModels(
  engine: Engine,
  configured: readonly string[],
  signal?: AbortSignal,
  { fits }: { fits?: (model: EngineModel) => boolean } = {},
): Promise<ServedModels> {
  let models: EngineModel[];
  try {
    models = await engine.listModels(signal ? { signal } : {});
  } catch (error) {
    return { served: [], missing: [...configured], engineError: error };
  }
  // A model that will not fit is never advertised: loading it would fail every job sent here.
  // An OpenAI-compatible server lists only what it has already loaded, so it fits by definition.
  const check = engine.kind === 'ollama' ? fits : undefined;
  const tooLarge = check ? models.filter((model) => !check(model)).map((model) => model.name) : [];
  const available = models.map((model) => model.name).filter((name) => !tooLarge.includes(name));
  const withTooLarge = tooLarge.length > 0 ? { tooLarge } : {};
  if (configured.length === 0) return { served: available, missing: [], ...withTooLarge };
  const served: string[] = [];
  const missing: string[] = [];
  for (const wanted of configured) {
    const match = [...available, ...tooLarge].find(
      (name) => name === wanted || name === `${wanted}:latest`,
    );
    if (match === undefined) missing.push(wanted);
    else if (available.includes(match)) served.push(match);
  }
  return { served, missing, ...withTooLarge };
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
