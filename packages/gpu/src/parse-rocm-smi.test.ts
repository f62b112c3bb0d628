import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRocmSmi } from './parse-rocm-smi';

const sample = readFileSync(
  new URL('../test/fixtures/amd-mi300x/rocm-smi.json', import.meta.url),
  'utf8',
);

describe('parseRocmSmi', () => {
  it('parses the eight MI300X cards of the hand-made sample', () => {
    const gpus = parseRocmSmi(sample);
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toEqual({
      vendor: 'amd',
      model: 'AMD Instinct MI300X',
      vramMegabytes: 196_288,
      driverVersion: '6.8.5',
    });
    expect(new Set(gpus.map((gpu) => gpu.model))).toEqual(new Set(['AMD Instinct MI300X']));
  });

  it('orders cards numerically and skips warnings printed before the JSON', () => {
    const output = `WARNING: AMD GPU device(s) is/are in a low-power state. Check power control/runtime_status\n${JSON.stringify(
      {
        card10: { 'Card Series': 'Ten', 'VRAM Total Memory (B)': '17163091968' },
        card2: { 'Card Series': 'Two', 'VRAM Total Memory (B)': '8573157376' },
      },
    )}`;
    expect(parseRocmSmi(output).map((gpu) => gpu.model)).toEqual(['Two', 'Ten']);
  });

  it('prefers a readable name when older releases put a PCI id in the series', () => {
    const output = JSON.stringify({
      card0: {
        'Card series': '0x738c',
        'Card model': 'AMD Instinct MI100',
        'Card vendor': 'Advanced Micro Devices, Inc. [AMD/ATI]',
      },
    });
    expect(parseRocmSmi(output)).toEqual([
      { vendor: 'amd', model: 'AMD Instinct MI100', vramMegabytes: null },
    ]);
  });

  it('returns nothing for output that is not JSON', () => {
    expect(parseRocmSmi('ERROR: GPU[0]\t: Unable to read VRAM')).toEqual([]);
  });
});
