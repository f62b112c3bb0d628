import type { GpuVendor } from '@infernet/protocol';
import type { DetectedGpu } from './detected-gpu';
import { isRecord, parseJsonOutput } from './parse-json-output';
import { definedOnly, parseSizeToMegabytes, parseText } from './parse-values';

export const SYSTEM_PROFILER_DISPLAYS_ARGS: readonly string[] = ['SPDisplaysDataType', '-json'];
export const SYSTEM_PROFILER_HARDWARE_ARGS: readonly string[] = ['SPHardwareDataType', '-json'];

/**
 * Parses `system_profiler SPDisplaysDataType -json`. Apple Silicon reports no
 * VRAM of its own: pass `unifiedMemoryMegabytes` (from
 * {@link parseSystemProfilerMemory}) to give its GPUs the machine's memory.
 */
export function parseSystemProfilerDisplays(
  text: string,
  options: { unifiedMemoryMegabytes?: number } = {},
): DetectedGpu[] {
  const entries = parseJsonOutput(text)?.SPDisplaysDataType;
  if (!Array.isArray(entries)) return [];
  return entries.filter(isRecord).flatMap((entry): DetectedGpu[] => {
    const model = parseText(stringAt(entry, 'sppci_model')) ?? parseText(stringAt(entry, '_name'));
    if (!model) return [];
    const vendor = vendorOf(`${stringAt(entry, 'spdisplays_vendor') ?? ''} ${model}`);
    const dedicated = parseSizeToMegabytes(stringAt(entry, 'spdisplays_vram'));
    if (dedicated !== undefined) return [{ vendor, model, vramMegabytes: dedicated }];
    // Apple Silicon shares all system memory; Intel integrated GPUs report their shared slice.
    const shared =
      vendor === 'apple'
        ? options.unifiedMemoryMegabytes
        : parseSizeToMegabytes(stringAt(entry, 'spdisplays_vram_shared'));
    return [definedOnly({ vendor, model, vramMegabytes: shared ?? null, unifiedMemory: true })];
  });
}

/** Parses `system_profiler SPHardwareDataType -json` for the machine's memory, in MiB. */
export function parseSystemProfilerMemory(text: string): number | undefined {
  const entries = parseJsonOutput(text)?.SPHardwareDataType;
  const overview = Array.isArray(entries) ? entries.find(isRecord) : undefined;
  return overview ? parseSizeToMegabytes(stringAt(overview, 'physical_memory')) : undefined;
}

/** system_profiler writes vendors as "sppci_vendor_Apple", "Intel", "AMD (0x1002)" and so on. */
function vendorOf(text: string): GpuVendor {
  const lower = text.toLowerCase();
  if (lower.includes('apple')) return 'apple';
  if (lower.includes('nvidia')) return 'nvidia';
  if (/\bamd\b|_amd\b|\bati\b|radeon/.test(lower)) return 'amd';
  if (lower.includes('intel')) return 'intel';
  return 'unknown';
}

function stringAt(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
