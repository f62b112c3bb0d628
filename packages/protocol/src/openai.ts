import { z } from 'zod';
import {
  DEFAULT_MAX_TOKENS,
  DEFAULT_TEMPERATURE,
  MAX_CHAT_MESSAGES,
  MAX_MESSAGE_CHARACTERS,
} from './constants';
import { ModelNameSchema } from './specs';

/**
 * Parameters OpenAI accepts that the queue cannot honour yet. They are refused
 * with a 400 naming them, never dropped: a client that asks for tools or a
 * response format and silently gets neither would trust an answer it did not ask for.
 */
export const OPENAI_UNSUPPORTED_PARAMETERS = [
  'tools',
  'tool_choice',
  'functions',
  'function_call',
  'parallel_tool_calls',
  'response_format',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'frequency_penalty',
  'presence_penalty',
  'modalities',
  'audio',
  'prediction',
  'reasoning_effort',
  'web_search_options',
] as const;

/** Accepted without effect on the answer: they only label or store the request on OpenAI's side. */
const IGNORABLE_PARAMETERS = new Set(['user', 'store', 'metadata', 'service_tier']);

export const OpenAiMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z
    .string({ error: 'only string content is supported yet (no content parts)' })
    .max(MAX_MESSAGE_CHARACTERS),
});

const KNOWN_PARAMETERS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'n',
  'infernet',
]);

/** `POST /v1/chat/completions`: the subset of OpenAI's body the queue honours. */
export const OpenAiChatCompletionRequestSchema = z
  .object({
    model: ModelNameSchema,
    messages: z.array(OpenAiMessageSchema).min(1).max(MAX_CHAT_MESSAGES),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
    max_tokens: z.number().int().min(1).max(32_768).nullish(),
    max_completion_tokens: z.number().int().min(1).max(32_768).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().gt(0).max(1).nullish(),
    stop: z
      .union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).min(1).max(4)])
      .nullish(),
    seed: z
      .number()
      .int()
      .min(-(2 ** 53) + 1)
      .max(2 ** 53 - 1)
      .nullish(),
    n: z.literal(1, { error: 'n > 1 is not supported yet (one choice per request)' }).nullish(),
    /** Infernet's own options; `fallback: false` asks for Infernet's nodes only. */
    infernet: z.object({ fallback: z.boolean().optional() }).strict().nullish(),
  })
  .catchall(z.unknown())
  .superRefine((body, context) => {
    for (const [key, value] of Object.entries(body)) {
      if (KNOWN_PARAMETERS.has(key) || IGNORABLE_PARAMETERS.has(key)) continue;
      if (value === undefined || value === null) continue;
      const known = (OPENAI_UNSUPPORTED_PARAMETERS as readonly string[]).includes(key);
      context.addIssue({
        code: 'custom',
        path: [key],
        message: known ? 'is not supported yet' : 'is not a supported parameter',
      });
    }
  })
  .transform((body) => ({
    model: body.model,
    messages: body.messages,
    stream: body.stream ?? false,
    includeUsage: body.stream_options?.include_usage ?? false,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: body.temperature ?? DEFAULT_TEMPERATURE,
    fallback: body.infernet?.fallback ?? true,
    sampling: {
      ...(body.top_p != null ? { top_p: body.top_p } : {}),
      ...(body.stop != null
        ? { stop: typeof body.stop === 'string' ? [body.stop] : body.stop }
        : {}),
      ...(body.seed != null ? { seed: body.seed } : {}),
    },
  }));
export type OpenAiChatCompletionRequest = z.output<typeof OpenAiChatCompletionRequestSchema>;

export const OpenAiUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});
export type OpenAiUsage = z.infer<typeof OpenAiUsageSchema>;

export const OpenAiChatCompletionSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: z.string(),
      logprobs: z.null(),
    }),
  ),
  /** Null when the node reported no usage: counts are never invented. */
  usage: OpenAiUsageSchema.nullable(),
});
export type OpenAiChatCompletion = z.infer<typeof OpenAiChatCompletionSchema>;

export const OpenAiChatCompletionChunkSchema = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      finish_reason: z.string().nullable(),
      logprobs: z.null(),
    }),
  ),
  usage: OpenAiUsageSchema.nullable().optional(),
});
export type OpenAiChatCompletionChunk = z.infer<typeof OpenAiChatCompletionChunkSchema>;

export const OpenAiModelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.literal('infernet'),
  /** Live nodes serving the model right now (an Infernet addition). */
  nodes: z.number().int(),
});
export const OpenAiModelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(OpenAiModelSchema),
});
export type OpenAiModelList = z.infer<typeof OpenAiModelListSchema>;

export const OpenAiErrorResponseSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    code: z.string().nullable(),
    param: z.string().nullable(),
  }),
});
export type OpenAiErrorResponse = z.infer<typeof OpenAiErrorResponseSchema>;
