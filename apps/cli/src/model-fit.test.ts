import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseNvidiaSmiCsv,
  parseSystemProfilerDisplays,
  parseSystemProfilerMemory,
  type DetectedGpu,
} from '@infernet/gpu';
import {
  checkFit,
  estimateModelMemory,
  fitsBudget,
  memoryBudget,
  parameterCountFromName,
  quantizationFromName,
  suggestModels,
  type ModelFacts,
} from './model-fit';

const GIB = 1024 ** 3;
const fixture = (path: string): string =>
  readFileSync(new URL(`../../../packages/gpu/test/fixtures/${path}`, import.meta.url), 'utf8');

/** The recorded H100 (80 GB HBM3: 81559 MiB) as `nvidia-smi` reported it. */
const h100 = parseNvidiaSmiCsv(fixture('nvidia-h100/nvidia-smi-query.csv'));
const rtx4090: DetectedGpu[] = [
  { vendor: 'nvidia', model: 'NVIDIA GeForce RTX 4090', vramMegabytes: 24564 },
];
const appleM2Max = parseSystemProfilerDisplays(
  fixture('apple-m2-max/system-profiler-displays.json'),
  {
    unifiedMemoryMegabytes: parseSystemProfilerMemory(
      fixture('apple-m2-max/system-profiler-hardware.json'),
    )!,
  },
);
const sixteenGib = 16 * GIB;

describe('memoryBudget', () => {
  it('uses the VRAM of the recorded H100', () => {
    expect(h100).toHaveLength(1);
    const budget = memoryBudget(h100, sixteenGib);
    expect(budget).toMatchObject({ source: 'gpu', bytes: 81559 * 1024 ** 2 });
    expect(budget.description).toBe('1 × NVIDIA H100 80GB HBM3 (79.6 GiB VRAM)');
  });

  it('adds up several GPUs, which Ollama splits a model across', () => {
    expect(memoryBudget([...rtx4090, ...rtx4090], sixteenGib).bytes).toBe(2 * 24564 * 1024 ** 2);
  });

  it('gives the GPU three quarters of Apple Silicon’s unified memory', () => {
    const budget = memoryBudget(appleM2Max, sixteenGib);
    expect(budget.source).toBe('unified');
    expect(budget.bytes).toBe(Math.floor(64 * GIB * 0.75));
  });

  it('falls back to 80% of system RAM on a CPU node, or a GPU whose memory is unknown', () => {
    expect(memoryBudget([], sixteenGib)).toMatchObject({
      source: 'system',
      bytes: Math.floor(sixteenGib * 0.8),
    });
    const unknown: DetectedGpu[] = [{ vendor: 'amd', model: 'Radeon', vramMegabytes: null }];
    expect(memoryBudget(unknown, sixteenGib).source).toBe('system');
  });
});

describe('names', () => {
  it.each([
    ['llama3.1:405b', 405e9],
    ['qwen2.5:0.5b', 5e8],
    ['qwen2.5-coder:7b-instruct-q8_0', 7e9],
    ['mixtral:8x7b', 56e9],
    ['smollm:135m', 135e6],
    ['llama3.2', undefined],
    ['custom-model:latest', undefined],
  ])('reads the parameter count of %s', (name, expected) => {
    expect(parameterCountFromName(name)).toBe(expected);
  });

  it.each([
    ['qwen2.5-coder:7b-instruct-q8_0', 'Q8_0'],
    ['llama3.1:70b-instruct-fp16', 'FP16'],
    ['llama3.1:8b-instruct-q4_K_M', 'Q4_K_M'],
    ['llama3.1:8b', undefined],
  ])('reads the quantization of %s', (name, expected) => {
    expect(quantizationFromName(name)).toBe(expected);
  });
});

describe('estimateModelMemory', () => {
  it('sizes Llama 3.1 8B at Q4_K_M: weights, a 4096-token cache and the runtime floor', () => {
    const estimate = estimateModelMemory({ name: 'llama3.1:8b' })!;
    expect(estimate.basis).toBe('name');
    expect(estimate.weightsBytes).toBe(Math.round(8e9 * 0.6055));
    expect(estimate.contextBytes).toBe(8 * 16 * 1024 * 4096);
    expect(estimate.overheadBytes).toBe(512 * 1024 ** 2);
    expect(estimate.totalBytes).toBe(
      estimate.weightsBytes + estimate.contextBytes + estimate.overheadBytes,
    );
  });

  it('prefers the engine’s own size, then its parameter count and quantization', () => {
    expect(estimateModelMemory({ name: 'llama3.2:1b', sizeBytes: 1_321_098_329 })).toMatchObject({
      basis: 'engine size',
      weightsBytes: 1_321_098_329,
    });
    expect(
      estimateModelMemory({ name: 'mystery', parameterCount: 3.2e9, quantization: 'F16' }),
    ).toMatchObject({ basis: 'parameters', weightsBytes: 6.4e9 });
  });

  it('grows the cache with the context window', () => {
    const short = estimateModelMemory({ name: 'llama3.1:8b' }, { contextTokens: 2048 })!;
    const long = estimateModelMemory({ name: 'llama3.1:8b' }, { contextTokens: 32768 })!;
    expect(long.contextBytes).toBe(16 * short.contextBytes);
  });

  it('says nothing about a model nothing sizes', () => {
    expect(estimateModelMemory({ name: 'custom-model', sizeBytes: null })).toBeUndefined();
  });
});

describe('checkFit', () => {
  const cases: [string, ModelFacts, boolean | null, DetectedGpu[]][] = [
    ['H100', { name: 'llama3.1:8b' }, true, h100],
    ['H100', { name: 'llama3.3:70b' }, true, h100],
    ['H100', { name: 'mixtral:8x7b' }, true, h100],
    ['H100', { name: 'llama3.1:405b' }, false, h100],
    ['H100', { name: 'qwen2.5:72b-instruct-fp16' }, false, h100],
    ['H100', { name: 'custom-model' }, null, h100],
    ['RTX 4090', { name: 'qwen2.5:32b' }, true, rtx4090],
    ['RTX 4090', { name: 'gemma3:27b' }, true, rtx4090],
    ['RTX 4090', { name: 'llama3.3:70b' }, false, rtx4090],
    ['RTX 4090', { name: 'big', sizeBytes: 30 * GIB }, false, rtx4090],
    ['M2 Max 64 GB', { name: 'llama3.3:70b' }, true, appleM2Max],
    ['M2 Max 64 GB', { name: 'qwen2.5:72b-instruct-q8_0' }, false, appleM2Max],
    ['CPU, 16 GiB', { name: 'qwen2.5:14b' }, true, []],
    ['CPU, 16 GiB', { name: 'qwen2.5:32b' }, false, []],
  ];
  it.each(cases)('on %s, %j fits: %s', (_machine, model, fits, gpus) => {
    expect(checkFit(model, memoryBudget(gpus, sixteenGib)).fits).toBe(fits);
  });

  it('advertises unknown sizes and drops the ones known not to fit', () => {
    const keep = fitsBudget(memoryBudget(rtx4090, sixteenGib));
    expect(keep({ name: 'custom-model', sizeBytes: null })).toBe(true);
    expect(keep({ name: 'llama3.1:8b', sizeBytes: 4.9e9 })).toBe(true);
    expect(keep({ name: 'llama3.3:70b', sizeBytes: 42.5e9 })).toBe(false);
  });
});

describe('suggestModels', () => {
  it('suggests the largest models that fit, biggest first', () => {
    expect(suggestModels(memoryBudget(h100, sixteenGib))).toEqual([
      'llama3.3:70b',
      'qwen2.5:32b',
      'gemma3:27b',
    ]);
    expect(suggestModels(memoryBudget([], 2 * GIB))).toEqual(['llama3.2:1b', 'qwen2.5:0.5b']);
    expect(suggestModels(memoryBudget([], GIB))).toEqual([]);
    // A CPU node with plenty of RAM still gets models it can answer with at a usable speed.
    expect(suggestModels(memoryBudget([], 64 * GIB))).toEqual([
      'llama3.1:8b',
      'qwen2.5:7b',
      'llama3.2:3b',
    ]);
  });
});
