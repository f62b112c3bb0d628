import { totalmem } from 'node:os';
import { toCapabilities, type GpuDetection } from '@infernet/gpu';
import type { GpuCapability } from '@infernet/protocol';
import { memoryBudget, type MemoryBudget } from './model-fit';
import type { GpuDetector } from './node-specs';

export interface Hardware {
  detection: GpuDetection;
  /** The coarse view that is published. */
  capabilities: { gpus: GpuCapability[]; gpu_count: number };
  /** What models may use; stays local. */
  memory: MemoryBudget;
}

/**
 * Detects the GPUs once, for both what is published and the fit check.
 * Never throws: a failed detection is a CPU node sized by its system RAM.
 */
export async function detectHardware(
  detect: GpuDetector,
  systemMemoryBytes: number = totalmem(),
): Promise<Hardware> {
  let detection: GpuDetection;
  try {
    detection = await detect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    detection = { gpus: [], source: 'none', diagnostics: [`detection failed: ${reason}`] };
  }
  return {
    detection,
    capabilities: toCapabilities(detection.gpus),
    memory: memoryBudget(detection.gpus, systemMemoryBytes),
  };
}
