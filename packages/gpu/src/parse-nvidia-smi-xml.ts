import { XMLParser } from 'fast-xml-parser';
import type { DetectedGpu } from './detected-gpu';
import { definedOnly, parseMeasurement, parseText } from './parse-values';

export const NVIDIA_XML_ARGS: readonly string[] = ['-q', '-x'];

export interface NvidiaSmiReport {
  gpus: DetectedGpu[];
  driverVersion?: string;
  cudaVersion?: string;
}

const parser = new XMLParser({
  // Keep every value as text: "13.0" must stay "13.0", not become 13.
  parseTagValue: false,
  ignoreAttributes: true,
  isArray: (name) => name === 'gpu',
});

type Node = Record<string, unknown>;

/**
 * Parses `nvidia-smi -q -x`. It is slower than the CSV query but works on
 * every driver and is the only place that names the CUDA version.
 */
export function parseNvidiaSmiXml(text: string): NvidiaSmiReport {
  const document = asNode(parser.parse(text));
  const log = asNode(document.nvidia_smi_log);
  const driverVersion = parseText(textOf(log.driver_version));
  const cudaVersion = parseText(textOf(log.cuda_version));
  const gpuNodes = Array.isArray(log.gpu) ? log.gpu.map(asNode) : [];
  const gpus = gpuNodes.flatMap((gpu): DetectedGpu[] => {
    const model = parseText(textOf(gpu.product_name));
    if (!model) return [];
    return [
      definedOnly({
        vendor: 'nvidia' as const,
        model,
        vramMegabytes: parseMeasurement(textOf(asNode(gpu.fb_memory_usage).total)) ?? null,
        driverVersion,
        cudaVersion,
        utilizationPercent: parseMeasurement(textOf(asNode(gpu.utilization).gpu_util)),
        temperatureCelsius: parseMeasurement(textOf(asNode(gpu.temperature).gpu_temp)),
        powerWatts: powerDraw(gpu),
      }),
    ];
  });
  return definedOnly({ gpus, driverVersion, cudaVersion });
}

/** Older drivers report `power_readings.power_draw`; newer ones `gpu_power_readings`, split into instant and average. */
function powerDraw(gpu: Node): number | undefined {
  const readings = asNode(gpu.gpu_power_readings);
  const legacy = asNode(gpu.power_readings);
  return (
    parseMeasurement(textOf(readings.instant_power_draw)) ??
    parseMeasurement(textOf(readings.power_draw)) ??
    parseMeasurement(textOf(legacy.power_draw))
  );
}

function asNode(value: unknown): Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Node)
    : {};
}

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
