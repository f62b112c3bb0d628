export type {
  CommandResult,
  CommandRunner,
  DetectedGpu,
  DetectionSource,
  GpuDetection,
} from './detected-gpu';
export { detectGpus } from './detect-gpus';
export { NVIDIA_QUERY_ARGS, NVIDIA_QUERY_FIELDS, parseNvidiaSmiCsv } from './parse-nvidia-smi-csv';
export { NVIDIA_XML_ARGS, parseNvidiaSmiXml } from './parse-nvidia-smi-xml';
export type { NvidiaSmiReport } from './parse-nvidia-smi-xml';
export { ROCM_SMI_ARGS, parseRocmSmi } from './parse-rocm-smi';
export {
  SYSTEM_PROFILER_DISPLAYS_ARGS,
  SYSTEM_PROFILER_HARDWARE_ARGS,
  parseSystemProfilerDisplays,
  parseSystemProfilerMemory,
} from './parse-system-profiler';
export { createNodeRunner } from './run-command';
export type { NodeRunnerOptions } from './run-command';
export { toCapabilities } from './to-capabilities';
