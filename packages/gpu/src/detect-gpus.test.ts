import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectGpus } from './detect-gpus';
import type { CommandResult, CommandRunner } from './detected-gpu';
import { NVIDIA_QUERY_ARGS } from './parse-nvidia-smi-csv';
import { NVIDIA_XML_ARGS } from './parse-nvidia-smi-xml';
import { ROCM_SMI_ARGS } from './parse-rocm-smi';
import {
  SYSTEM_PROFILER_DISPLAYS_ARGS,
  SYSTEM_PROFILER_HARDWARE_ARGS,
} from './parse-system-profiler';

const fixture = (path: string): string =>
  readFileSync(new URL(`../test/fixtures/${path}`, import.meta.url), 'utf8');

/** A machine whose installed tools answer from fixtures; anything else is "not installed". */
function machine(answers: Record<string, CommandResult | (() => never)>): {
  run: CommandRunner;
  commands: string[];
} {
  const commands: string[] = [];
  const run: CommandRunner = async (command, args) => {
    const line = [command, ...args].join(' ');
    commands.push(line);
    const answer = answers[line];
    if (typeof answer === 'function') return answer();
    return answer ?? null;
  };
  return { run, commands };
}

const ok = (stdout: string): CommandResult => ({ stdout, exitCode: 0 });
const line = (command: string, args: readonly string[]): string => [command, ...args].join(' ');
const nvidiaQuery = line('nvidia-smi', NVIDIA_QUERY_ARGS);
const nvidiaXml = line('nvidia-smi', NVIDIA_XML_ARGS);
const rocm = line('rocm-smi', ROCM_SMI_ARGS);
const displays = line('system_profiler', SYSTEM_PROFILER_DISPLAYS_ARGS);
const hardware = line('system_profiler', SYSTEM_PROFILER_HARDWARE_ARGS);

describe('detectGpus', () => {
  it('finds the H100 through the query and adds the CUDA version from the XML report', async () => {
    const { run } = machine({
      [nvidiaQuery]: ok(fixture('nvidia-h100/nvidia-smi-query.csv')),
      [nvidiaXml]: ok(fixture('nvidia-h100/nvidia-smi-q.xml')),
    });
    const detection = await detectGpus({ run });
    expect(detection.source).toBe('nvidia-smi');
    expect(detection.gpus).toEqual([
      {
        vendor: 'nvidia',
        model: 'NVIDIA H100 80GB HBM3',
        vramMegabytes: 81559,
        driverVersion: '580.159.04',
        cudaVersion: '13.0',
        utilizationPercent: 0,
        temperatureCelsius: 40,
        powerWatts: 71.41,
      },
    ]);
  });

  it('falls back to the XML report when the query fails', async () => {
    const { run } = machine({
      [nvidiaQuery]: { stdout: 'Field "compute_cap" is not a valid field to query.', exitCode: 2 },
      [nvidiaXml]: ok(fixture('nvidia-h100/nvidia-smi-q.xml')),
    });
    const detection = await detectGpus({ run });
    expect(detection.source).toBe('nvidia-smi');
    expect(detection.gpus).toMatchObject([{ model: 'NVIDIA H100 80GB HBM3', cudaVersion: '13.0' }]);
    expect(detection.diagnostics[0]).toContain('exited with 2: Field "compute_cap"');
  });

  it('reports a CPU node when no vendor tool is installed', async () => {
    const { run, commands } = machine({});
    expect(await detectGpus({ run })).toEqual({ gpus: [], source: 'none', diagnostics: [] });
    expect(commands).toEqual([nvidiaQuery, rocm, displays]);
  });

  it('moves on when nvidia-smi is installed but the driver is not loaded', async () => {
    const failure = {
      stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
      exitCode: 9,
    };
    const { run } = machine({
      [nvidiaQuery]: failure,
      [nvidiaXml]: failure,
      [rocm]: ok(fixture('amd-mi300x/rocm-smi.json')),
    });
    const detection = await detectGpus({ run });
    expect(detection.source).toBe('rocm-smi');
    expect(detection.gpus).toHaveLength(8);
    expect(detection.diagnostics).toContain('nvidia-smi: no GPU listed');
  });

  it('finds Apple Silicon with its unified memory', async () => {
    const { run } = machine({
      [displays]: ok(fixture('apple-m2-max/system-profiler-displays.json')),
      [hardware]: ok(fixture('apple-m2-max/system-profiler-hardware.json')),
    });
    expect(await detectGpus({ run })).toEqual({
      gpus: [
        { vendor: 'apple', model: 'Apple M2 Max', vramMegabytes: 65_536, unifiedMemory: true },
      ],
      source: 'system_profiler',
      diagnostics: [],
    });
  });

  it('does not ask for the hardware report on an Intel Mac', async () => {
    const { run, commands } = machine({
      [displays]: ok(fixture('intel-mac-radeon/system-profiler-displays.json')),
    });
    const detection = await detectGpus({ run });
    expect(detection.gpus.map((gpu) => gpu.vendor)).toEqual(['intel', 'amd']);
    expect(commands).not.toContain(hardware);
  });

  it('never throws, even when the runner does', async () => {
    const { run } = machine({
      [nvidiaQuery]: () => {
        throw new Error('spawn EACCES');
      },
    });
    const detection = await detectGpus({ run });
    expect(detection).toMatchObject({ gpus: [], source: 'none' });
    expect(detection.diagnostics).toEqual(['nvidia-smi: spawn EACCES']);
  });
});
