import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiXml } from './parse-nvidia-smi-xml';

const fixture = (name: string): string =>
  readFileSync(new URL(`../test/fixtures/nvidia-h100/${name}`, import.meta.url), 'utf8');

describe('parseNvidiaSmiXml', () => {
  it('parses the recorded H100 report, CUDA version included', () => {
    expect(parseNvidiaSmiXml(fixture('nvidia-smi-q.xml'))).toEqual({
      driverVersion: '580.159.04',
      cudaVersion: '13.0',
      gpus: [
        {
          vendor: 'nvidia',
          model: 'NVIDIA H100 80GB HBM3',
          vramMegabytes: 81559,
          driverVersion: '580.159.04',
          cudaVersion: '13.0',
          utilizationPercent: 0,
          temperatureCelsius: 40,
          powerWatts: 71.26,
        },
      ],
    });
  });

  it('agrees with the CUDA version in the recorded `nvidia-smi --version`', () => {
    const version = /CUDA Version\s*:\s*(\S+)/.exec(fixture('nvidia-smi-version.txt'))?.[1];
    expect(parseNvidiaSmiXml(fixture('nvidia-smi-q.xml')).cudaVersion).toBe(version);
  });

  it('reads older drivers’ layout and several GPUs', () => {
    const xml = `<?xml version="1.0" ?>
<nvidia_smi_log>
  <driver_version>470.256.02</driver_version>
  <cuda_version>11.4</cuda_version>
  <gpu id="00000000:01:00.0">
    <product_name>Tesla T4</product_name>
    <fb_memory_usage><total>15109 MiB</total></fb_memory_usage>
    <utilization><gpu_util>N/A</gpu_util></utilization>
    <temperature><gpu_temp>33 C</gpu_temp></temperature>
    <power_readings><power_draw>9.75 W</power_draw></power_readings>
  </gpu>
  <gpu id="00000000:02:00.0">
    <product_name>Tesla T4</product_name>
    <fb_memory_usage><total>15109 MiB</total></fb_memory_usage>
  </gpu>
</nvidia_smi_log>`;
    const report = parseNvidiaSmiXml(xml);
    expect(report.cudaVersion).toBe('11.4');
    expect(report.gpus).toHaveLength(2);
    expect(report.gpus[0]).toEqual({
      vendor: 'nvidia',
      model: 'Tesla T4',
      vramMegabytes: 15109,
      driverVersion: '470.256.02',
      cudaVersion: '11.4',
      temperatureCelsius: 33,
      powerWatts: 9.75,
    });
  });

  it('returns no GPUs for output that is not a report', () => {
    expect(
      parseNvidiaSmiXml('Failed to initialize NVML: Driver/library version mismatch').gpus,
    ).toEqual([]);
  });
});
