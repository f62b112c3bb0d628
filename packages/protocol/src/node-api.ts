import { z } from 'zod';
import {
  DEFAULT_POLL_JOBS,
  LONG_POLL_MAX_WAIT_SECONDS,
  MAX_ERROR_MESSAGE_CHARACTERS,
  MAX_EVENTS_PER_BATCH,
  POLL_MAX_JOBS,
} from './constants';
import { ChatMessageSchema } from './chat';
import { EmbeddingInputSpecSchema, Float32Base64Schema, MAX_EMBEDDING_INPUTS } from './embeddings';
import { NodeSpecsSchema } from './specs';

/**
 * Node API bodies. Shapes follow the earlier JavaScript implementation so its
 * daemons keep working; unknown fields are stripped, never stored.
 */
export const NodeRoleSchema = z.enum(['provider', 'aggregator', 'client']);
export type NodeRole = z.infer<typeof NodeRoleSchema>;

export const NodeStatusSchema = z.enum(['available', 'busy', 'offline']);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

const AddressSchema = z.string().min(1).max(255);
const PortSchema = z.number().int().min(1).max(65535);

export const RegisterRequestSchema = z.object({
  role: NodeRoleSchema.default('provider'),
  node_id: z.string().min(1).max(128),
  name: z.string().min(1).max(128).optional(),
  status: NodeStatusSchema.optional(),
  address: AddressSchema.nullable().optional(),
  port: PortSchema.nullable().optional(),
  gpu_model: z.string().max(64).nullable().optional(),
  price: z.number().min(0).nullable().optional(),
  /** Raw specs; the server keeps only what `sanitizeNodeSpecs` returns. */
  specs: z.unknown().optional(),
  /** False keeps the node out of the public lists (`/api/providers`); it still serves jobs. Default true. */
  listed: z.boolean().optional(),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;
export const RegisterResponseSchema = z.object({ id: z.string(), node_id: z.string() });

export const HeartbeatRequestSchema = z.object({
  role: NodeRoleSchema.default('provider'),
  status: NodeStatusSchema.optional(),
  address: AddressSchema.nullable().optional(),
  port: PortSchema.nullable().optional(),
  specs: z.unknown().optional(),
});
export type HeartbeatRequest = z.infer<typeof HeartbeatRequestSchema>;
export const HeartbeatResponseSchema = z.object({ id: z.string() });

export const RoleOnlyRequestSchema = z.object({ role: NodeRoleSchema.default('provider') });

export const NodeRowSchema = z.object({
  id: z.string(),
  node_id: z.string(),
  public_key: z.string(),
  role: NodeRoleSchema,
  name: z.string().nullable(),
  status: NodeStatusSchema,
  address: z.string().nullable(),
  port: z.number().nullable(),
  gpu_model: z.string().nullable(),
  price: z.number().nullable(),
  specs: NodeSpecsSchema,
  last_seen: z.string().nullable(),
  created_at: z.string(),
  /** Whether the node appears in the public lists; absent from servers that predate the choice. */
  listed: z.boolean().optional(),
});
export type NodeRow = z.infer<typeof NodeRowSchema>;
export const MeResponseSchema = z.object({ row: NodeRowSchema.nullable() });
export const RemoveResponseSchema = z.object({ deleted: z.boolean(), id: z.string().optional() });

const JobIdSchema = z.uuid();
/** Increases on every claim of a job; a request carrying an older one is refused with LEASE_LOST. */
const FencingTokenSchema = z.number().int().min(1);

export const PollRequestSchema = z.object({
  /** Jobs to claim now; 0 asks only about `active` jobs. */
  limit: z.number().int().min(0).max(POLL_MAX_JOBS).default(DEFAULT_POLL_JOBS),
  /** Seconds to hold the request open when nothing is assigned yet. */
  wait: z.number().min(0).max(LONG_POLL_MAX_WAIT_SECONDS).default(0),
  /** Jobs this node is running; the response's `cancel` names those it must stop. */
  active: z.array(JobIdSchema).max(POLL_MAX_JOBS).default([]),
});
export type PollRequest = z.infer<typeof PollRequestSchema>;

export const JobTypeSchema = z.enum(['chat', 'embedding']);
export type JobType = z.infer<typeof JobTypeSchema>;
export const JobStatusSchema = z.enum([
  'queued',
  'assigned',
  'running',
  'completed',
  'failed',
  'cancelled',
]);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const SamplingSchema = z.object({
  /** Nucleus sampling, (0, 1]. */
  top_p: z.number().gt(0).max(1).optional(),
  /** Up to four sequences that end the answer. */
  stop: z.array(z.string().min(1).max(256)).min(1).max(4).optional(),
  /** For engines that can repeat an answer given the same seed. */
  seed: z
    .number()
    .int()
    .min(-(2 ** 53) + 1)
    .max(2 ** 53 - 1)
    .optional(),
});
export type Sampling = z.infer<typeof SamplingSchema>;

export const ChatInputSpecSchema = z.object({
  messages: z.array(ChatMessageSchema),
  max_tokens: z.number().int().positive(),
  temperature: z.number().min(0).max(2),
  ...SamplingSchema.shape,
});
export type ChatInputSpec = z.infer<typeof ChatInputSpecSchema>;

const NodeJobFieldsSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: JobStatusSchema,
  payment_offer: z.number(),
  payment_coin: z.string().nullable(),
  model_name: z.string(),
  created_at: z.string(),
  /** Echo it on events, complete and release; it proves this claim is still the current one. */
  fencing_token: z.number().int(),
  lease_expires_at: z.string().nullable(),
  /** 1 for the first claim, 2 after one expired lease, … */
  attempt: z.number().int(),
  /**
   * Bearer token for this claim's event posts and its completion, sent as
   * `X-Infernet-Lease` instead of a signature: verified once (this signed
   * poll), cheap per token batch. Absent from servers that predate it; then
   * sign them.
   */
  lease_token: z.string().optional(),
});
/** A claimed job; `type` says which `input_spec` it carries and how to complete it. */
export const NodeJobSchema = z.discriminatedUnion('type', [
  NodeJobFieldsSchema.extend({ type: z.literal('chat'), input_spec: ChatInputSpecSchema }),
  /** Embed each text; no stream, just `complete` with one vector per text, in order. */
  NodeJobFieldsSchema.extend({
    type: z.literal('embedding'),
    input_spec: EmbeddingInputSpecSchema,
  }),
]);
export type NodeJob = z.infer<typeof NodeJobSchema>;
export type ChatNodeJob = Extract<NodeJob, { type: 'chat' }>;
export type EmbeddingNodeJob = Extract<NodeJob, { type: 'embedding' }>;
export const PollResponseSchema = z.object({
  provider_id: z.string(),
  jobs: z.array(NodeJobSchema),
  /** Of the `active` jobs sent, those cancelled or no longer held by this node: stop them. */
  cancel: z.array(z.string()).default([]),
});

/** Node-posted events. `done` and `error` are accepted for older daemons but the terminal event is written by `complete`. */
export const NodeEventTypeSchema = z.enum(['meta', 'token', 'done', 'error']);
export const NodeEventSchema = z.object({
  event_type: NodeEventTypeSchema,
  data: z.record(z.string(), z.unknown()).default({}),
});
export type NodeEvent = z.infer<typeof NodeEventSchema>;
export const EventsRequestSchema = z.object({
  events: z.array(NodeEventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
  fencing_token: FencingTokenSchema.optional(),
  /**
   * Batch number, 1, 2, 3 … per claim. A batch whose number was already
   * accepted is acknowledged without being stored again, so retries are safe.
   */
  batch: z.number().int().min(1).optional(),
});
export type EventsRequest = z.infer<typeof EventsRequestSchema>;
export const EventsResponseSchema = z.object({ inserted: z.number().int() });

/** Most jobs one `POST /api/v1/node/events` carries batches for. */
export const MAX_JOB_BATCHES_PER_POST = 64;

/** One job's batch in a post of several: the single-job body, plus whose and by what right. */
export const JobEventBatchSchema = z.object({
  job_id: z.string().min(1).max(64),
  /** The claim's lease token from `poll`: it authenticates this job's batch, no signature needed. */
  lease_token: z.string().min(1).max(128),
  fencing_token: FencingTokenSchema,
  batch: z.number().int().min(1),
  events: z.array(NodeEventSchema).min(1).max(MAX_EVENTS_PER_BATCH),
});
export type JobEventBatch = z.infer<typeof JobEventBatchSchema>;
/**
 * A node's token batches for several jobs in one request: a node streaming
 * for dozens of jobs sends one request per flush instead of one per job.
 */
export const EventBatchesRequestSchema = z.object({
  batches: z
    .array(JobEventBatchSchema)
    .min(1)
    .max(MAX_JOB_BATCHES_PER_POST)
    .refine((batches) => new Set(batches.map((batch) => batch.job_id)).size === batches.length, {
      message: 'Each job may appear once per post; send its next batch after this one.',
    }),
});
export type EventBatchesRequest = z.infer<typeof EventBatchesRequestSchema>;
/** Each job's outcome, in the order posted: stored (a retry stores 0), or refused with a code. */
export const JobEventBatchResultSchema = z.object({
  job_id: z.string(),
  inserted: z.number().int().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type JobEventBatchResult = z.infer<typeof JobEventBatchResultSchema>;
export const EventBatchesResponseSchema = z.object({ results: z.array(JobEventBatchResultSchema) });

export const UsageSchema = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
});
export type Usage = z.infer<typeof UsageSchema>;

export const ChatResultSchema = z.object({
  text: z.string().optional(),
  reason: z.string().max(64).optional(),
  usage: UsageSchema.optional(),
  /**
   * An embedding job's vectors, one per input text in order; its usage
   * counts the engine's prompt tokens, with 0 completion tokens.
   */
  embeddings: z.array(Float32Base64Schema).max(MAX_EMBEDDING_INPUTS).optional(),
});
export type JobResult = z.infer<typeof ChatResultSchema>;
export const CompleteRequestSchema = z.object({
  status: z.enum(['completed', 'failed']),
  fencing_token: FencingTokenSchema.optional(),
  result: ChatResultSchema.optional(),
  error: z.string().max(MAX_ERROR_MESSAGE_CHARACTERS).optional(),
});
export type CompleteRequest = z.infer<typeof CompleteRequestSchema>;
export const CompleteResponseSchema = z.object({ id: z.string(), status: JobStatusSchema });

/**
 * Hands a held job back (a draining node). Before any token reached the
 * consumer the job is queued again at once; after, it fails, because a second
 * node would restart the answer mid-stream.
 */
export const ReleaseRequestSchema = z.object({
  fencing_token: FencingTokenSchema.optional(),
  reason: z.string().max(MAX_ERROR_MESSAGE_CHARACTERS).optional(),
});
export type ReleaseRequest = z.infer<typeof ReleaseRequestSchema>;
export const ReleaseResponseSchema = z.object({ id: z.string(), status: JobStatusSchema });

const envelopes = new WeakMap<z.ZodType, z.ZodObject<{ data: z.ZodType }>>();

/** Every successful node API response is wrapped, as the earlier daemons expect. */
export function dataEnvelope<Schema extends z.ZodType>(schema: Schema) {
  // One envelope per schema, made once: zod compiles each object schema the
  // first time it parses, and clients call this on every answer.
  let envelope = envelopes.get(schema);
  if (!envelope) {
    envelope = z.object({ data: schema });
    envelopes.set(schema, envelope);
  }
  return envelope as z.ZodObject<{ data: Schema }>;
}
