import { z } from 'zod';
import { ModelNameSchema } from './specs';

/**
 * Deploy tokens and device sign-in (docs/deploy-and-dashboard-api.md): how a
 * fresh machine, or `infernet login` on it, gets its node linked to an account.
 */

/** Every deploy token starts with this, so it is told apart from an API key (`inf_`). */
export const DEPLOY_TOKEN_PREFIX = 'infd_';
/** A deploy token provisions nodes for a day; then it is refused. */
export const DEPLOY_TOKEN_TTL_SECONDS = 24 * 60 * 60;
export const MAX_DEPLOY_TOKEN_LABEL_LENGTH = 64;

export const CreateDeployTokenRequestSchema = z.strictObject({
  /** A label for the owner, e.g. "runpod:my-pod" or "hetzner"; default "deploy". */
  label: z.string().trim().min(1).max(MAX_DEPLOY_TOKEN_LABEL_LENGTH).default('deploy'),
});
export type CreateDeployTokenRequest = z.infer<typeof CreateDeployTokenRequestSchema>;

export const DEPLOY_TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const;
export const DeployTokenStatusSchema = z.enum(DEPLOY_TOKEN_STATUSES);
export type DeployTokenStatus = z.infer<typeof DeployTokenStatusSchema>;

/** A deploy token as listed: never the token itself. */
export const DeployTokenSchema = z.object({
  id: z.string(),
  label: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  /** How many nodes were linked with it. */
  nodes_linked: z.number().int().min(0),
  status: DeployTokenStatusSchema,
});
export type DeployToken = z.infer<typeof DeployTokenSchema>;

/** The only time the token is shown: it is stored hashed. */
export const CreatedDeployTokenSchema = z.object({
  id: z.string(),
  label: z.string(),
  token: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  status: z.literal('active'),
});
export type CreatedDeployToken = z.infer<typeof CreatedDeployTokenSchema>;

export const DeployTokenResponseSchema = z.object({ data: CreatedDeployTokenSchema });
export const DeployTokenListResponseSchema = z.object({ data: z.array(DeployTokenSchema) });
export const RevokeDeployTokenResponseSchema = z.object({
  data: z.object({ id: z.string(), status: z.literal('revoked') }),
});

/** `GET /api/deploy/cloud-init?model=…`: the model the new node serves. */
export const CloudInitQuerySchema = z.strictObject({ model: ModelNameSchema });

/** How long a device sign-in request waits for its operator. */
export const DEVICE_CODE_TTL_SECONDS = 600;
/** How often a node polls `device-token` while it waits. */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;
/** User codes leave out 0, O, 1 and I, which people read for one another. */
export const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const USER_CODE_LENGTH = 8;

/**
 * A user code as typed: any case, with or without its dash (or spaces),
 * becomes the 8 stored characters; anything else fails with a message.
 */
export const UserCodeSchema = z
  .string()
  .max(32)
  .transform((value) => value.replace(/[\s-]/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .regex(
        new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`),
        'user_code is 8 letters and digits as shown by the node, e.g. ABCD-EFGH',
      ),
  );

/** `ABCDEFGH` → `ABCD-EFGH`, as people see and type it. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export const DeviceCodeRequestSchema = z.strictObject({});

export const DeviceCodeResponseSchema = z.object({
  data: z.object({
    /** The secret the node polls with; only its hash is stored. */
    device_code: z.string(),
    user_code: z.string(),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int(),
  }),
});

export const DEVICE_CODE_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;
export const DeviceCodeStatusSchema = z.enum(DEVICE_CODE_STATUSES);

/** What an operator is asked to approve. */
export const DeviceRequestResponseSchema = z.object({
  data: z.object({
    user_code: z.string(),
    node_id: z.string(),
    node_name: z.string().nullable(),
    public_key: z.string(),
    requested_at: z.string(),
    expires_at: z.string(),
    status: DeviceCodeStatusSchema,
  }),
});

export const DeviceApproveRequestSchema = z.strictObject({
  user_code: UserCodeSchema,
  approve: z.boolean(),
});

export const DeviceApproveResponseSchema = z.object({
  data: z.object({ status: z.enum(['approved', 'denied']), node_id: z.string() }),
});

export const DeviceTokenRequestSchema = z.strictObject({
  device_code: z.string().min(1).max(128),
});
