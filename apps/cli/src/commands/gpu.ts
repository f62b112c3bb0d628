import { toCapabilities, type DetectedGpu } from '@infernet/gpu';
import { EXIT_OK, UsageError } from '../cli-error';
import type { CommandContext } from '../context';
import { formatTable } from '../output';

/** `infernet gpu [list|json]`: what this machine has. The full detail stays local; only capabilities are published. */
export async function gpuCommand(context: CommandContext, format = 'list'): Promise<number> {
  if (format !== 'list' && format !== 'json') {
    throw new UsageError(
      `Unknown format "${format}": use \`infernet gpu list\` or \`infernet gpu json\`.`,
    );
  }
  const { output } = context;
  const detection = await context.detectGpus();
  if (format === 'json') {
    output.json({ ...detection, published: toCapabilities(detection.gpus) });
    return EXIT_OK;
  }
  if (detection.gpus.length === 0) {
    output.line('No GPU detected (tried nvidia-smi, rocm-smi and system_profiler).');
    for (const line of detection.diagnostics) output.line(`  ${line}`);
    output.line('This node can still serve models that fit in CPU memory.');
    return EXIT_OK;
  }
  const published = toCapabilities(detection.gpus).gpus;
  const rows = detection.gpus.map((gpu, index) => [
    String(index),
    gpu.vendor,
    gpu.model,
    formatMemory(gpu),
    published[index]?.vram_tier ?? 'unknown',
    gpu.driverVersion ?? '-',
    gpu.cudaVersion ?? '-',
    gpu.utilizationPercent === undefined ? '-' : `${gpu.utilizationPercent}%`,
    gpu.temperatureCelsius === undefined ? '-' : `${gpu.temperatureCelsius}°C`,
    gpu.powerWatts === undefined ? '-' : `${Math.round(gpu.powerWatts)} W`,
  ]);
  output.line(
    formatTable(
      ['#', 'Vendor', 'Model', 'Memory', 'Tier', 'Driver', 'CUDA', 'Util', 'Temp', 'Power'],
      rows,
    ),
  );
  output.line(
    `\nDetected with ${detection.source}. Published: vendor, memory tier and model only.`,
  );
  return EXIT_OK;
}

function formatMemory(gpu: DetectedGpu): string {
  if (gpu.vramMegabytes === null) return '-';
  const gigabytes = gpu.vramMegabytes / 1024;
  return `${gigabytes.toFixed(gigabytes < 10 ? 1 : 0)} GiB${gpu.unifiedMemory ? ' (unified)' : ''}`;
}
