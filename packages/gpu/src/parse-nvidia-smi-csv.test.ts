import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NVIDIA_QUERY_ARGS, NVIDIA_QUERY_FIELDS, parseNvidiaSmiCsv } from './parse-nvidia-smi-csv';

const fixture = (name: string): string =>
  readFileSync(new URL(`../test/fixtures/nvidia-h100/${name}`, import.meta.url), 'utf8');

describe('parseNvidiaSmiCsv', () => {
  it('asks nvidia-smi for exactly the command the H100 recording was made with', () => {
    const readme = fixture('README.md');
    const recorded = /nvidia-smi-query\.csv: `([^`]+)`/.exec(readme)?.[1];
    expect(recorded).toBe(['nvidia-smi', ...NVIDIA_QUERY_ARGS].join(' '));
  });

  it('parses the recorded H100 line', () => {
    const csv = fixture('nvidia-smi-query.csv');
    expect(csv.split(',')).toHaveLength(NVIDIA_QUERY_FIELDS.length);
    expect(parseNvidiaSmiCsv(csv)).toEqual([
      {
        vendor: 'nvidia',
        model: 'NVIDIA H100 80GB HBM3',
        vramMegabytes: 81559,
        driverVersion: '580.159.04',
        utilizationPercent: 0,
        temperatureCelsius: 40,
        powerWatts: 71.41,
      },
    ]);
  });

  it('reads several GPUs and leaves out values the driver cannot report', () => {
    const csv = [
      '0, GPU-a, NVIDIA GeForce RTX 4090, 24564, 1, 24100, 550.54.14, 3, 35, 18.52, 450.00, 00000000:01:00.0, 8.9',
      '1, GPU-b, NVIDIA GeForce RTX 3060, 12288, 1, 12000, 550.54.14, [N/A], 30, [Not Supported], 170.00, 00000000:02:00.0, 8.6',
      '',
    ].join('\n');
    const gpus = parseNvidiaSmiCsv(csv);
    expect(gpus.map((gpu) => [gpu.model, gpu.vramMegabytes])).toEqual([
      ['NVIDIA GeForce RTX 4090', 24564],
      ['NVIDIA GeForce RTX 3060', 12288],
    ]);
    expect(gpus[1]).not.toHaveProperty('utilizationPercent');
    expect(gpus[1]).not.toHaveProperty('powerWatts');
  });

  it('ignores lines that are not GPU rows, such as driver error messages', () => {
    const output =
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n";
    expect(parseNvidiaSmiCsv(output)).toEqual([]);
  });
});
