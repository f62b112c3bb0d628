import { z } from 'zod';

/**
 * RunPod's REST API v2 (`https://api.runpod.io/v2`), the parts a launch uses.
 * v2 replaces REST v1 (rest.runpod.io, retired in November 2026) and the
 * GraphQL `gpuTypes { lowestPrice }` query; the same API key works on it.
 * Schemas follow RunPod's OpenAPI document (https://api.runpod.io/v2/openapi.json):
 * - https://docs.runpod.io/api-reference-v2/catalog/list-gpu-types
 * - https://docs.runpod.io/api-reference-v2/pods/create-a-pod
 * - https://docs.runpod.io/api-reference-v2/migrate-from-v1
 * Only the fields read here are checked; RunPod may add others.
 */

/** `GpuType`: prices are per GPU-hour in USD, quoted per cloud even where it is not offered. */
export const RunPodGpuTypeSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  memory: z.number().nonnegative(),
  secure: z.boolean(),
  community: z.boolean(),
  price: z.object({ secure: z.number(), community: z.number() }),
  /** NONE, LOW, MEDIUM or HIGH; present when asked for with `include=AVAILABILITY`. */
  availability: z.string().optional(),
});
export type RunPodGpuType = z.infer<typeof RunPodGpuTypeSchema>;

/** `GET /v2/catalog/gpus` → `ListGpuTypesResponse`. */
export const RunPodGpuListSchema = z.object({ gpus: z.array(RunPodGpuTypeSchema) });

/** `POST /v2/pods` body (`CreatePodRequest`): RunPod rejects unknown fields by name. */
export interface RunPodCreatePodBody {
  name: string;
  image: string;
  cloud: 'SECURE' | 'COMMUNITY';
  gpu: { id: string; count: number };
  env: Record<string, string>;
  /** Container disk in GB. */
  disk: number;
}

/** `POST /v2/pods` → 201 `Pod`. Its `env` echoes secrets back, so it is not read. */
export const RunPodPodSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.string(),
  gpu: z.object({ id: z.string(), count: z.number().optional() }).optional(),
});

/** Errors are RFC 9457 problem documents (`application/problem+json`). */
export const RunPodProblemSchema = z.object({
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
});
