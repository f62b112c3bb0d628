import type { CommandRunner, DetectedGpu, DetectionSource, GpuDetection } from './detected-gpu';
import { NVIDIA_QUERY_ARGS, parseNvidiaSmiCsv } from './parse-nvidia-smi-csv';
import { NVIDIA_XML_ARGS, parseNvidiaSmiXml } from './parse-nvidia-smi-xml';
import type { NvidiaSmiReport } from './parse-nvidia-smi-xml';
import { ROCM_SMI_ARGS, parseRocmSmi } from './parse-rocm-smi';
import {
  SYSTEM_PROFILER_DISPLAYS_ARGS,
  SYSTEM_PROFILER_HARDWARE_ARGS,
  parseSystemProfilerDisplays,
  parseSystemProfilerMemory,
} from './parse-system-profiler';

type Probe = (run: CommandRunner, diagnostics: string[]) => Promise<DetectedGpu[]>;

/** Tried in order; the first tool that finds a GPU wins. */
const PROBES: readonly (readonly [Exclude<DetectionSource, 'none'>, Probe])[] = [
  ['nvidia-smi', detectNvidia],
  ['rocm-smi', detectAmd],
  ['system_profiler', detectApple],
];

/**
 * Finds this machine's GPUs with the vendor tools that are installed. It
 * never throws: a node without GPUs (or without working drivers) is a CPU
 * node, and `diagnostics` says what was tried.
 *
 * @example
 * const { gpus, source } = await detectGpus({ run: createNodeRunner() });
 */
export async function detectGpus(options: { run: CommandRunner }): Promise<GpuDetection> {
  const diagnostics: string[] = [];
  for (const [source, probe] of PROBES) {
    try {
      const gpus = await probe(options.run, diagnostics);
      if (gpus.length > 0) return { gpus, source, diagnostics };
    } catch (error) {
      diagnostics.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { gpus: [], source: 'none', diagnostics };
}

async function detectNvidia(run: CommandRunner, diagnostics: string[]): Promise<DetectedGpu[]> {
  const query = await runTool(run, 'nvidia-smi', NVIDIA_QUERY_ARGS, diagnostics);
  if (query.status === 'not-installed') return [];
  const fromQuery = query.status === 'ok' ? parseNvidiaSmiCsv(query.stdout) : [];
  // The XML report names the CUDA version, and still works where the query fails (old drivers).
  const xml = await runTool(run, 'nvidia-smi', NVIDIA_XML_ARGS, diagnostics);
  const report: NvidiaSmiReport =
    xml.status === 'ok' ? parseNvidiaSmiXml(xml.stdout) : { gpus: [] };
  if (fromQuery.length === 0) {
    if (report.gpus.length === 0) diagnostics.push('nvidia-smi: no GPU listed');
    return report.gpus;
  }
  const { cudaVersion } = report;
  return cudaVersion ? fromQuery.map((gpu) => ({ ...gpu, cudaVersion })) : fromQuery;
}

async function detectAmd(run: CommandRunner, diagnostics: string[]): Promise<DetectedGpu[]> {
  const output = await runTool(run, 'rocm-smi', ROCM_SMI_ARGS, diagnostics);
  if (output.status !== 'ok') return [];
  const gpus = parseRocmSmi(output.stdout);
  if (gpus.length === 0) diagnostics.push('rocm-smi: no GPU listed');
  return gpus;
}

async function detectApple(run: CommandRunner, diagnostics: string[]): Promise<DetectedGpu[]> {
  const displays = await runTool(
    run,
    'system_profiler',
    SYSTEM_PROFILER_DISPLAYS_ARGS,
    diagnostics,
  );
  if (displays.status !== 'ok') return [];
  let gpus = parseSystemProfilerDisplays(displays.stdout);
  // Only Apple Silicon needs the machine's memory; skip the second command elsewhere.
  if (gpus.some((gpu) => gpu.vendor === 'apple')) {
    const hardware = await runTool(
      run,
      'system_profiler',
      SYSTEM_PROFILER_HARDWARE_ARGS,
      diagnostics,
    );
    const unifiedMemoryMegabytes =
      hardware.status === 'ok' ? parseSystemProfilerMemory(hardware.stdout) : undefined;
    if (unifiedMemoryMegabytes !== undefined) {
      gpus = parseSystemProfilerDisplays(displays.stdout, { unifiedMemoryMegabytes });
    }
  }
  if (gpus.length === 0) diagnostics.push('system_profiler: no GPU listed');
  return gpus;
}

type ToolOutput = { status: 'ok'; stdout: string } | { status: 'not-installed' | 'failed' };

/** Runs a tool and says whether it produced output; a failure is noted in `diagnostics`. */
async function runTool(
  run: CommandRunner,
  command: string,
  args: readonly string[],
  diagnostics: string[],
): Promise<ToolOutput> {
  const result = await run(command, args);
  if (result === null) return { status: 'not-installed' };
  if (result.exitCode !== 0) {
    const firstLine = result.stdout.trim().split('\n')[0] ?? '';
    diagnostics.push(
      `${command} ${args.join(' ')} exited with ${result.exitCode}${firstLine ? `: ${firstLine}` : ''}`,
    );
    return { status: 'failed' };
  }
  return { status: 'ok', stdout: result.stdout };
}
