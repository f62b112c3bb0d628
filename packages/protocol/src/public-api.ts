import { z } from 'zod';
import { ERROR_CODES } from './errors';
import { GpuCapabilitySchema, VramTierSchema } from './specs';

/** Public, unauthenticated reads. Coarse by design: no prompt, hostname or address ever. */
export const ModelSummarySchema = z.object({ name: z.string(), nodes: z.number().int() });
export type ModelSummary = z.infer<typeof ModelSummarySchema>;
export const ModelsResponseSchema = z.object({ data: z.array(ModelSummarySchema) });

/** A node in the public lists; a node registered with `listed: false` never appears. */
export const PublicProviderSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  status: z.enum(['available', 'busy', 'offline']),
  online: z.boolean(),
  gpus: z.array(GpuCapabilitySchema),
  gpu_count: z.number().int(),
  models: z.array(z.string()),
  last_seen: z.string().nullable(),
});
export type PublicProvider = z.infer<typeof PublicProviderSchema>;
export const ProvidersResponseSchema = z.object({ data: z.array(PublicProviderSchema) });

/**
 * Counts (nodes, models, VRAM tiers) include nodes that chose not to be
 * listed: they are capacity all the same, and a count names no node.
 */
export const OverviewSchema = z.object({
  nodes_online: z.number().int(),
  nodes_total: z.number().int(),
  models: z.array(ModelSummarySchema),
  jobs: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
  }),
  vram_tiers: z.array(z.object({ tier: VramTierSchema, gpus: z.number().int() })),
  last_heartbeat_at: z.string().nullable(),
  /**
   * Network throughput: tokens of the jobs completed in the last
   * `throughput_window_seconds` (streamed tokens of chats, input tokens of
   * embeddings) divided by that window. A job counts when it completes, so a
   * long answer shows up all at once.
   */
  tokens_per_second: z.number().min(0),
  throughput_window_seconds: z.number().int(),
});
export type Overview = z.infer<typeof OverviewSchema>;
export const OverviewResponseSchema = z.object({ data: OverviewSchema });

export const HealthResponseSchema = z.object({ status: z.literal('ok') });
export const ReadinessResponseSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  database: z.enum(['pglite', 'postgres']),
});

/** The shape of every non-2xx response, produced in one place by the server. */
export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
