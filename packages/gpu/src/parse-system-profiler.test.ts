import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSystemProfilerDisplays, parseSystemProfilerMemory } from './parse-system-profiler';

const fixture = (path: string): string =>
  readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

describe('parseSystemProfilerDisplays', () => {
  it('gives Apple Silicon the machine’s unified memory', () => {
    const memory = parseSystemProfilerMemory(fixture('apple-m2-max/system-profiler-hardware.json'));
    expect(memory).toBe(65_536);
    const displays = fixture('apple-m2-max/system-profiler-displays.json');
    expect(parseSystemProfilerDisplays(displays, { unifiedMemoryMegabytes: memory })).toEqual([
      { vendor: 'apple', model: 'Apple M2 Max', vramMegabytes: 65_536, unifiedMemory: true },
    ]);
  });

  it('leaves Apple Silicon memory unknown when the hardware report is missing', () => {
    const displays = fixture('apple-m2-max/system-profiler-displays.json');
    expect(parseSystemProfilerDisplays(displays)).toEqual([
      { vendor: 'apple', model: 'Apple M2 Max', vramMegabytes: null, unifiedMemory: true },
    ]);
  });

  it('reads dedicated and shared VRAM on an Intel Mac', () => {
    const displays = fixture('intel-mac-radeon/system-profiler-displays.json');
    expect(parseSystemProfilerDisplays(displays)).toEqual([
      {
        vendor: 'intel',
        model: 'Intel UHD Graphics 630',
        vramMegabytes: 1536,
        unifiedMemory: true,
      },
      { vendor: 'amd', model: 'AMD Radeon Pro 5500M', vramMegabytes: 8192 },
    ]);
  });

  it('returns nothing for unexpected output', () => {
    expect(parseSystemProfilerDisplays('{"SPDisplaysDataType": "nope"}')).toEqual([]);
    expect(parseSystemProfilerMemory('')).toBeUndefined();
  });
});
