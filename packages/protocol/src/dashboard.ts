import { z } from 'zod';
import { JobStatusSchema } from './node-api';
import { PublicProviderSchema } from './public-api';
import { GpuVendorSchema, VramTierSchema } from './specs';

/**
 * The operator's and account's views (docs/deploy-and-dashboard-api.md): who
 * is signed in, the nodes linked to the account, the jobs they served, and
 * deleting the account. Never a prompt, an output, a key or an address.
 */

/** `GET /api/me`: the signed-in account. */
export const AccountProfileSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  created_at: z.string(),
});
export type AccountProfile = z.infer<typeof AccountProfileSchema>;
export const AccountProfileResponseSchema = z.object({ data: AccountProfileSchema });

/**
 * An amount of earnings: exact decimal text summed from the ledger, in the
 * unit the server's prices are set in (INFERNET_PRICE_PER_MILLION_TOKENS).
 */
export const EarningsSchema = z.object({
  amount: z.string(),
  unit: z.literal('credits'),
});
export type Earnings = z.infer<typeof EarningsSchema>;

/** One node linked to the account, as its operator sees it. */
export const OperatorNodeSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  /** From the last heartbeat: online when it is recent and the node did not say offline. */
  status: z.enum(['online', 'offline']),
  last_seen_at: z.string().nullable(),
  /** Whether the node appears in the public lists (`/api/providers`). */
  listed: z.boolean(),
  models: z.array(z.string()),
  gpus: z.array(z.object({ vendor: GpuVendorSchema, vram_tier: VramTierSchema })),
  jobs_completed: z.number().int(),
  /** Streamed tokens of completed chat jobs plus input tokens of completed embedding jobs. */
  tokens_served: z.number().int(),
  earnings: EarningsSchema,
});
export type OperatorNode = z.infer<typeof OperatorNodeSchema>;
export const OperatorNodesResponseSchema = z.object({ data: z.array(OperatorNodeSchema) });

export const MAX_OPERATOR_JOBS_LIMIT = 200;
export const DEFAULT_OPERATOR_JOBS_LIMIT = 50;

/** `GET /api/me/jobs?limit=`: how many of the most recent jobs. */
export const OperatorJobsQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_OPERATOR_JOBS_LIMIT)
    .default(DEFAULT_OPERATOR_JOBS_LIMIT),
});

/** Why a job ended in failure or cancellation: the stream error's code and message. */
export const JobFailureSchema = z.object({ code: z.string(), message: z.string() });

/** A job one of the account's nodes served: metadata only, never its prompt or output. */
export const OperatorJobSchema = z.object({
  id: z.string(),
  model: z.string(),
  status: JobStatusSchema,
  provider_id: z.string(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  /** Streamed tokens of a chat job, input tokens of an embedding job. */
  tokens: z.number().int(),
  failure: JobFailureSchema.nullable(),
});
export type OperatorJob = z.infer<typeof OperatorJobSchema>;
export const OperatorJobsResponseSchema = z.object({ data: z.array(OperatorJobSchema) });

/** `DELETE /api/account`: the word must be typed out, so no stray request deletes an account. */
export const DeleteAccountRequestSchema = z.strictObject({ confirm: z.literal('DELETE') });
export const DeleteAccountResponseSchema = z.object({
  data: z.object({ deleted: z.literal(true) }),
});

/**
 * `GET /api/providers/{id}`: one listed node's public view, with coarse
 * activity. `first_seen_at` is when the node first registered.
 */
export const PublicProviderDetailSchema = PublicProviderSchema.extend({
  first_seen_at: z.string(),
  jobs_completed: z.number().int(),
  /** Jobs it completed in the last hour, and their tokens (as `tokens_served` counts them). */
  jobs_completed_last_hour: z.number().int(),
  tokens_served_last_hour: z.number().int(),
});
export type PublicProviderDetail = z.infer<typeof PublicProviderDetailSchema>;
export const PublicProviderDetailResponseSchema = z.object({ data: PublicProviderDetailSchema });
