import { z } from 'zod';
import { MAX_DEPLOY_TOKEN_LABEL_LENGTH } from './deploy';
import { ModelNameSchema } from './specs';

/**
 * One-click launch of a provider node on the user's own RunPod account
 * (docs/deploy-and-dashboard-api.md). The user's RunPod API key rides in
 * this header on each call, is used for that call only, and is never stored
 * or logged.
 */
export const RUNPOD_API_KEY_HEADER = 'X-RunPod-Api-Key';

/** RunPod keys are well under this; anything longer is refused before it travels on. */
export const MAX_CLOUD_API_KEY_LENGTH = 256;

/** RunPod's two clouds: its own data centres, or community-hosted machines. */
export const CloudTypeSchema = z.enum(['SECURE', 'COMMUNITY']);
export type CloudType = z.infer<typeof CloudTypeSchema>;

export const RunPodGpuTypeSchema = z.object({
  /** RunPod's GPU type id, e.g. "NVIDIA GeForce RTX 4090": what a launch names. */
  id: z.string(),
  display_name: z.string(),
  memory_gb: z.number(),
  /** USD per GPU-hour; null where the GPU is not offered on that cloud. */
  secure_price: z.number().nullable(),
  community_price: z.number().nullable(),
  /** In stock now on at least one cloud. */
  available: z.boolean(),
});
export type RunPodGpuType = z.infer<typeof RunPodGpuTypeSchema>;
export const RunPodGpuTypesResponseSchema = z.object({ data: z.array(RunPodGpuTypeSchema) });

/** The pod's deploy token is labelled `runpod:<pod name>`, which must fit a label. */
export const RUNPOD_TOKEN_LABEL_PREFIX = 'runpod:';
export const MAX_POD_NAME_LENGTH = MAX_DEPLOY_TOKEN_LABEL_LENGTH - RUNPOD_TOKEN_LABEL_PREFIX.length;

export const CreateRunPodPodRequestSchema = z.strictObject({
  gpu_type_id: z.string().trim().min(1, 'gpu_type_id must name a RunPod GPU type').max(100),
  gpu_count: z.number().int().min(1).max(16).default(1),
  /** What the node serves (INFERNET_MODEL in the pod). */
  model: ModelNameSchema,
  name: z
    .string()
    .trim()
    .min(1)
    .max(MAX_POD_NAME_LENGTH)
    .regex(/^[\w.-]+$/, 'name uses letters, digits and . - _')
    .optional(),
  cloud_type: CloudTypeSchema.default('SECURE'),
});
export type CreateRunPodPodRequest = z.infer<typeof CreateRunPodPodRequestSchema>;

export const RunPodPodSchema = z.object({
  pod_id: z.string(),
  name: z.string(),
  gpu_type_id: z.string(),
  /** The deploy token minted for this pod, listed under /api/deploy/tokens. */
  deploy_token_id: z.string(),
  /** RunPod's status of the new pod, e.g. PROVISIONING. */
  status: z.string(),
});
export type RunPodPod = z.infer<typeof RunPodPodSchema>;
export const RunPodPodResponseSchema = z.object({ data: RunPodPodSchema });
