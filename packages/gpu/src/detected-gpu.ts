import type { GpuVendor } from '@infernet/protocol';

/**
 * One GPU as this machine sees it. It stays on the node: only the coarse
 * {@link toCapabilities} view is ever published.
 */
export interface DetectedGpu {
  vendor: GpuVendor;
  /** The product name the tool prints, e.g. "NVIDIA H100 80GB HBM3". */
  model: string;
  /** Memory the GPU can use, in MiB (what nvidia-smi calls MiB); null when the tool does not say. */
  vramMegabytes: number | null;
  /** True when the GPU shares system memory (Apple Silicon, integrated GPUs). */
  unifiedMemory?: boolean;
  driverVersion?: string;
  cudaVersion?: string;
  utilizationPercent?: number;
  temperatureCelsius?: number;
  powerWatts?: number;
}

export type DetectionSource = 'nvidia-smi' | 'rocm-smi' | 'system_profiler' | 'none';

export interface GpuDetection {
  gpus: DetectedGpu[];
  /** The tool that found the GPUs; `none` means a CPU-only node. */
  source: DetectionSource;
  /** Why each tool that was tried found nothing, for `infernet doctor`-style output. */
  diagnostics: string[];
}

export interface CommandResult {
  stdout: string;
  exitCode: number;
}

/**
 * Runs a program without a shell. Resolves null when the program is not
 * installed, so detection can tell "absent" from "present but failing".
 */
export type CommandRunner = (
  command: string,
  args: readonly string[],
) => Promise<CommandResult | null>;
