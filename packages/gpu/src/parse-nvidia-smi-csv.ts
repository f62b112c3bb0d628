import type { DetectedGpu } from './detected-gpu';
import { definedOnly, parseMeasurement, parseText } from './parse-values';

/**
 * The columns we ask nvidia-smi for. They match the recorded H100 fixture
 * column for column, so that recording is literally this command's output.
 * uuid, pci.bus_id and the like are read but never leave the parser.
 */
export const NVIDIA_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'memory.free',
  'driver_version',
  'utilization.gpu',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'pci.bus_id',
  'compute_cap',
] as const;

export const NVIDIA_QUERY_ARGS: readonly string[] = [
  `--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
];

type Field = (typeof NVIDIA_QUERY_FIELDS)[number];

/** Parses `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output: one line per GPU. */
export function parseNvidiaSmiCsv(text: string): DetectedGpu[] {
  const gpus: DetectedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((cell) => cell.trim());
    // A line with other columns is an error message or another query's output, not a GPU.
    if (cells.length !== NVIDIA_QUERY_FIELDS.length) continue;
    const read = (field: Field): string | undefined => cells[NVIDIA_QUERY_FIELDS.indexOf(field)];
    const model = parseText(read('name'));
    if (!model) continue;
    gpus.push(
      definedOnly({
        vendor: 'nvidia' as const,
        model,
        vramMegabytes: parseMeasurement(read('memory.total')) ?? null,
        driverVersion: parseText(read('driver_version')),
        utilizationPercent: parseMeasurement(read('utilization.gpu')),
        temperatureCelsius: parseMeasurement(read('temperature.gpu')),
        powerWatts: parseMeasurement(read('power.draw')),
      }),
    );
  }
  return gpus;
}
