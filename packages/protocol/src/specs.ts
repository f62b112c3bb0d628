import { z } from 'zod';
import { MAX_GPUS_PER_NODE, MAX_SERVED_MODELS } from './constants';

export const GPU_VENDORS = ['nvidia', 'amd', 'apple', 'intel', 'unknown'] as const;
export const VRAM_TIERS = ['<8gb', '8-16gb', '16-24gb', '24-48gb', '>=48gb', 'unknown'] as const;

export const GpuVendorSchema = z.enum(GPU_VENDORS);
export const VramTierSchema = z.enum(VRAM_TIERS);
export type GpuVendor = z.infer<typeof GpuVendorSchema>;
export type VramTier = z.infer<typeof VramTierSchema>;

/** The coarse capability a node may publish per GPU: enough to route, too little to fingerprint. */
export const GpuCapabilitySchema = z.object({
  vendor: GpuVendorSchema,
  vram_tier: VramTierSchema,
  model: z.string().max(64),
});
export type GpuCapability = z.infer<typeof GpuCapabilitySchema>;

export const ModelNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w.:/@+-]+$/, 'model names use letters, digits and . : / @ + - _');

/** What the control plane keeps of a node's specs; everything else is discarded. */
export const NodeSpecsSchema = z.object({
  gpus: z.array(GpuCapabilitySchema).max(MAX_GPUS_PER_NODE),
  gpu_count: z.number().int().min(0).max(MAX_GPUS_PER_NODE),
  served_models: z.array(ModelNameSchema).max(MAX_SERVED_MODELS),
});
export type NodeSpecs = z.infer<typeof NodeSpecsSchema>;

export const EMPTY_NODE_SPECS: NodeSpecs = { gpus: [], gpu_count: 0, served_models: [] };

/** Maps a VRAM size to its public tier. Tier edges are inclusive at the bottom. */
export function vramTierFor(megabytes: number | null | undefined): VramTier {
  if (
    megabytes === null ||
    megabytes === undefined ||
    !Number.isFinite(megabytes) ||
    megabytes <= 0
  )
    return 'unknown';
  const gigabytes = megabytes / 1024;
  if (gigabytes < 8) return '<8gb';
  if (gigabytes < 16) return '8-16gb';
  if (gigabytes < 24) return '16-24gb';
  if (gigabytes < 48) return '24-48gb';
  return '>=48gb';
}

function pickString(value: unknown, maxLength: number): string | undefined {
  return typeof value === 'string' ? value.slice(0, maxLength) : undefined;
}

function sanitizeGpu(raw: unknown): GpuCapability | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const gpu = raw as Record<string, unknown>;
  const vendor = GpuVendorSchema.safeParse(
    typeof gpu.vendor === 'string' ? gpu.vendor.toLowerCase() : gpu.vendor,
  );
  const tier = VramTierSchema.safeParse(gpu.vram_tier);
  return {
    vendor: vendor.success ? vendor.data : 'unknown',
    vram_tier: tier.success ? tier.data : 'unknown',
    model: pickString(gpu.model, 64) ?? 'unknown',
  };
}

/**
 * The one sanitiser for node specs, used for register and heartbeat alike.
 * It never fails: unknown or malformed fields are dropped, because a node
 * must not be able to store a fingerprint (hostname, CPU, RAM) by sending one.
 */
export function sanitizeNodeSpecs(raw: unknown): NodeSpecs {
  if (typeof raw !== 'object' || raw === null) return EMPTY_NODE_SPECS;
  const specs = raw as Record<string, unknown>;
  const gpus = Array.isArray(specs.gpus)
    ? specs.gpus
        .slice(0, MAX_GPUS_PER_NODE)
        .map(sanitizeGpu)
        .filter((gpu): gpu is GpuCapability => gpu !== undefined)
    : [];
  const declaredCount =
    typeof specs.gpu_count === 'number' && Number.isInteger(specs.gpu_count)
      ? specs.gpu_count
      : gpus.length;
  const served = Array.isArray(specs.served_models) ? specs.served_models : [];
  const servedModels = [
    ...new Set(served.filter((name): name is string => ModelNameSchema.safeParse(name).success)),
  ].slice(0, MAX_SERVED_MODELS);
  return {
    gpus,
    gpu_count: Math.min(Math.max(declaredCount, 0), MAX_GPUS_PER_NODE),
    served_models: servedModels,
  };
}
