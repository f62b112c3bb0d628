import type { DetectedGpu } from './detected-gpu';
import { isRecord, parseJsonOutput } from './parse-json-output';
import { definedOnly, parseMeasurement, parseText } from './parse-values';

export const ROCM_SMI_ARGS: readonly string[] = [
  '--showproductname',
  '--showmeminfo',
  'vram',
  '--showdriverversion',
  '--json',
];

/**
 * Where rocm-smi versions put the product name, best first. Older releases
 * spell the keys in lower case and sometimes put a PCI id ("0x738c") in the
 * series field, so a hex id is skipped in favour of the next candidate.
 */
const NAME_KEYS = ['card series', 'card model', 'device name', 'marketing name'];

/** Parses `rocm-smi --showproductname --showmeminfo vram --showdriverversion --json`. */
export function parseRocmSmi(text: string): DetectedGpu[] {
  const document = parseJsonOutput(text);
  if (!document) return [];
  const system = isRecord(document.system) ? lowerCaseKeys(document.system) : {};
  const driverVersion = parseText(stringAt(system, 'driver version'));
  return Object.keys(document)
    .filter((key) => /^card\d+$/.test(key))
    .sort((left, right) => Number(left.slice(4)) - Number(right.slice(4)))
    .flatMap((key): DetectedGpu[] => {
      const card = document[key];
      if (!isRecord(card)) return [];
      const fields = lowerCaseKeys(card);
      const model = NAME_KEYS.map((name) => parseText(stringAt(fields, name))).find(
        (name) => name !== undefined && !/^0x[0-9a-f]+$/i.test(name),
      );
      const vramBytes = parseMeasurement(stringAt(fields, 'vram total memory (b)'));
      return [
        definedOnly({
          vendor: 'amd' as const,
          model: model ?? 'AMD GPU',
          vramMegabytes: vramBytes === undefined ? null : Math.round(vramBytes / (1024 * 1024)),
          driverVersion,
        }),
      ];
    });
}

function lowerCaseKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key.toLowerCase(), value]),
  );
}

function stringAt(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}
