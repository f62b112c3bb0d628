import { MAX_GPUS_PER_NODE, vramTierFor } from '@infernet/protocol';
import type { GpuCapability } from '@infernet/protocol';
import type { DetectedGpu } from './detected-gpu';

/** The longest model name the protocol accepts. */
const MODEL_MAX_LENGTH = 64;

/**
 * The only view of the hardware a node publishes: vendor, VRAM tier and
 * model per GPU, and a count. Exact memory, drivers, temperatures and ids
 * stay local, so the control plane cannot fingerprint a machine.
 *
 * @example
 * toCapabilities(detection.gpus); // { gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'NVIDIA H100 80GB HBM3' }], gpu_count: 1 }
 */
export function toCapabilities(gpus: readonly DetectedGpu[]): {
  gpus: GpuCapability[];
  gpu_count: number;
} {
  // The protocol caps a node at MAX_GPUS_PER_NODE; a larger box advertises that many.
  const published = gpus.slice(0, MAX_GPUS_PER_NODE).map((gpu): GpuCapability => ({
    vendor: gpu.vendor,
    vram_tier: vramTierFor(gpu.vramMegabytes),
    model: gpu.model.slice(0, MODEL_MAX_LENGTH),
  }));
  return { gpus: published, gpu_count: published.length };
}
