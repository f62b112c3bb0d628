import { z } from 'zod';
import {
  DEFAULT_MAX_TOKENS,
  DEFAULT_TEMPERATURE,
  MAX_CHAT_MESSAGES,
  MAX_MESSAGE_CHARACTERS,
} from './constants';
import { ModelNameSchema } from './specs';

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(MAX_MESSAGE_CHARACTERS),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** `POST /api/chat`. `modelName` is the earlier implementation's spelling of `model`. */
export const ChatRequestSchema = z
  .object({
    messages: z.array(ChatMessageSchema).min(1).max(MAX_CHAT_MESSAGES),
    model: ModelNameSchema.optional(),
    modelName: ModelNameSchema.optional(),
    maxTokens: z.number().int().min(1).max(32_768).default(DEFAULT_MAX_TOKENS),
    temperature: z.number().min(0).max(2).default(DEFAULT_TEMPERATURE),
    /**
     * False: Infernet's nodes only. When none can take the job, the answer is
     * the honest refusal instead of the configured fallback (NVIDIA NIM).
     */
    fallback: z.boolean().default(true),
  })
  .transform(({ modelName, model, ...rest }) => ({ ...rest, model: model ?? modelName }));
export type ChatRequest = z.output<typeof ChatRequestSchema>;

export const CancelResponseSchema = z.object({
  jobId: z.string(),
  status: z.string(),
  /** False when the job had already finished; cancelling is idempotent. */
  cancelled: z.boolean(),
});
export type CancelResponse = z.infer<typeof CancelResponseSchema>;

export const ChatProviderSummarySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
});

export const ChatResponseSchema = z.object({
  jobId: z.string(),
  status: z.string(),
  model: z.string(),
  /** Relative URL of the SSE stream; carries the stream token as `?token=`. */
  streamUrl: z.string(),
  /** Secret that lets the job's creator read its stream (also accepted as a Bearer header). */
  streamToken: z.string(),
  /** The node holding the job, or null while it waits in the queue; the `meta` event always names it. */
  provider: ChatProviderSummarySchema.nullable(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;

/** Server-Sent Events on `GET /api/chat/stream/{jobId}`, one schema per `event:` name. */
export const JobStreamEventSchema = z.object({
  id: z.string(),
  status: z.string(),
  model: z.string(),
  created_at: z.string(),
});
export const MetaStreamEventSchema = z.object({
  provider_node_id: z.string(),
  provider_name: z.string().nullable().optional(),
  model: z.string().optional(),
  engine: z.string().optional(),
  engine_label: z.string().optional(),
  started_at: z.string().optional(),
  /** Set when a fallback served instead of a node, e.g. `nvidia-nim`; absent otherwise. */
  fallback: z.string().optional(),
});
/**
 * While the job waits for a node: not stored (no `id:`), sent when the
 * stream opens and again with each keep-alive until a node takes the job.
 */
export const QueueStreamEventSchema = z.object({
  /** 1 for the next job a node takes. */
  position: z.number().int(),
  /** A rough estimate from recent jobs of the model; null when there is nothing to base it on. */
  expected_wait_seconds: z.number().int().nullable(),
  /** When the job fails with QUEUE_TIMEOUT if no node took it. */
  deadline_at: z.string().nullable(),
});
export const TokenStreamEventSchema = z.object({ text: z.string() });
export const DoneStreamEventSchema = z.object({
  text: z.string(),
  reason: z.string().optional(),
  finished_at: z.string(),
  usage: z
    .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int() })
    .optional(),
});
/** Why a stream ended in error; consumers may branch on these. */
export const STREAM_ERROR_CODES = [
  'CANCELLED',
  'NODE_LOST',
  'NODE_SHUTDOWN',
  'ATTEMPTS_EXHAUSTED',
  'ENGINE_ERROR',
  'QUEUE_TIMEOUT',
] as const;
export const ErrorStreamEventSchema = z.object({
  message: z.string(),
  code: z.string().optional(),
  /** Tokens the consumer received before the error: what a partial answer is billed on. */
  delivered_tokens: z.number().int().optional(),
});
export const STREAM_EVENT_NAMES = ['job', 'queue', 'meta', 'token', 'done', 'error'] as const;
export type StreamEventName = (typeof STREAM_EVENT_NAMES)[number];
export const STREAM_EVENT_SCHEMAS = {
  job: JobStreamEventSchema,
  queue: QueueStreamEventSchema,
  meta: MetaStreamEventSchema,
  token: TokenStreamEventSchema,
  done: DoneStreamEventSchema,
  error: ErrorStreamEventSchema,
} as const satisfies Record<StreamEventName, z.ZodType>;
