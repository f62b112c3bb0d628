import type { GpuCapability } from '@infernet/protocol';
import { vramTierLabel } from '@/lib/format';

/** "2 × 24–48 GB (nvidia)": GPUs grouped by vendor and tier, as coarse as the node reported. */
export function gpuSummary(gpus: readonly Pick<GpuCapability, 'vendor' | 'vram_tier'>[]): string {
  if (gpus.length === 0) return 'No GPU reported (CPU)';
  const groups = new Map<string, number>();
  for (const gpu of gpus) {
    const key = `${vramTierLabel(gpu.vram_tier)}${gpu.vendor === 'unknown' ? '' : ` ${vendorName(gpu.vendor)}`}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([label, count]) => `${count} × ${label}`).join(', ');
}

function vendorName(vendor: GpuCapability['vendor']): string {
  switch (vendor) {
    case 'nvidia':
      return 'NVIDIA';
    case 'amd':
      return 'AMD';
    case 'apple':
      return 'Apple';
    case 'intel':
      return 'Intel';
    default:
      return '';
  }
}
