import { readFileSync } from 'node:fs';
import { GpuCapabilitySchema, MAX_GPUS_PER_NODE } from '@infernet/protocol';
import { describe, expect, it } from 'vitest';
import type { DetectedGpu } from './detected-gpu';
import { parseNvidiaSmiCsv } from './parse-nvidia-smi-csv';
import { parseNvidiaSmiXml } from './parse-nvidia-smi-xml';
import { parseRocmSmi } from './parse-rocm-smi';
import { parseSystemProfilerDisplays, parseSystemProfilerMemory } from './parse-system-profiler';
import { toCapabilities } from './to-capabilities';

const fixture = (path: string): string =>
  readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

const everyFixture: [string, DetectedGpu[]][] = [
  ['nvidia-h100 csv', parseNvidiaSmiCsv(fixture('nvidia-h100/nvidia-smi-query.csv'))],
  ['nvidia-h100 xml', parseNvidiaSmiXml(fixture('nvidia-h100/nvidia-smi-q.xml')).gpus],
  ['amd-mi300x', parseRocmSmi(fixture('amd-mi300x/rocm-smi.json'))],
  [
    'apple-m2-max',
    parseSystemProfilerDisplays(fixture('apple-m2-max/system-profiler-displays.json'), {
      unifiedMemoryMegabytes: parseSystemProfilerMemory(
        fixture('apple-m2-max/system-profiler-hardware.json'),
      ),
    }),
  ],
  [
    'intel-mac-radeon',
    parseSystemProfilerDisplays(fixture('intel-mac-radeon/system-profiler-displays.json')),
  ],
];

describe('toCapabilities', () => {
  it('publishes the H100 as an nvidia GPU in the top tier', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-h100/nvidia-smi-query.csv'));
    expect(toCapabilities(gpus)).toEqual({
      gpus: [{ vendor: 'nvidia', vram_tier: '>=48gb', model: 'NVIDIA H100 80GB HBM3' }],
      gpu_count: 1,
    });
  });

  it('maps every fixture to vendor, tier and model', () => {
    const summary = Object.fromEntries(
      everyFixture.map(([name, gpus]) => [
        name,
        toCapabilities(gpus).gpus.map((gpu) => `${gpu.vendor} ${gpu.vram_tier} ${gpu.model}`),
      ]),
    );
    expect(summary).toEqual({
      'nvidia-h100 csv': ['nvidia >=48gb NVIDIA H100 80GB HBM3'],
      'nvidia-h100 xml': ['nvidia >=48gb NVIDIA H100 80GB HBM3'],
      'amd-mi300x': Array(8).fill('amd >=48gb AMD Instinct MI300X'),
      'apple-m2-max': ['apple >=48gb Apple M2 Max'],
      'intel-mac-radeon': ['intel <8gb Intel UHD Graphics 630', 'amd 8-16gb AMD Radeon Pro 5500M'],
    });
  });

  it('publishes only vendor, vram_tier and model, in the protocol’s shape', () => {
    for (const [, gpus] of everyFixture) {
      for (const gpu of toCapabilities(gpus).gpus) {
        expect(Object.keys(gpu).sort()).toEqual(['model', 'vendor', 'vram_tier']);
        expect(GpuCapabilitySchema.strict().parse(gpu)).toEqual(gpu);
      }
    }
  });

  it('describes a CPU node as no GPUs', () => {
    expect(toCapabilities([])).toEqual({ gpus: [], gpu_count: 0 });
  });

  it('stays within the protocol limits', () => {
    const gpu: DetectedGpu = { vendor: 'nvidia', model: 'X'.repeat(100), vramMegabytes: null };
    const capabilities = toCapabilities(Array(20).fill(gpu));
    expect(capabilities.gpu_count).toBe(MAX_GPUS_PER_NODE);
    expect(capabilities.gpus[0]).toEqual({
      vendor: 'nvidia',
      vram_tier: 'unknown',
      model: 'X'.repeat(64),
    });
  });
});
