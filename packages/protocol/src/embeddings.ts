import { z } from 'zod';
import { ModelNameSchema } from './specs';

/**
 * Texts in one embedding request: OpenAI's own limit, so clients that batch
 * for OpenAI (LangChain sends 1000, the openai SDKs up to 2048) work unchanged.
 */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * The body limit of a node's `complete` call, which carries an embedding
 * job's vectors: 2048 vectors of 4096 float32 dimensions (the widest common
 * embedding models) are 33.5 MB, 44.7 MB in base64, plus JSON framing. Every
 * other node call keeps the default limit.
 */
export const MAX_COMPLETION_BODY_BYTES = 48 * 1024 * 1024;

/** A job's texts to embed, as stored and as handed to the node that claims it. */
export const EmbeddingInputSpecSchema = z.object({
  input: z.array(z.string()).max(MAX_EMBEDDING_INPUTS),
});
export type EmbeddingInputSpec = z.infer<typeof EmbeddingInputSpecSchema>;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes a padded base64 string decodes to. */
function decodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * One vector as little-endian float32 values in base64: OpenAI's
 * `encoding_format: "base64"`, a quarter the size of JSON numbers and exact
 * for the float32 values engines compute.
 */
export const Float32Base64Schema = z
  .string()
  .min(1)
  .regex(BASE64_PATTERN, 'must be base64')
  .refine((text) => decodedLength(text) % 4 === 0, 'must hold whole float32 values');

/** Accepted without effect on the answer: they only label the request on OpenAI's side. */
const IGNORABLE_PARAMETERS = new Set(['user']);
const KNOWN_PARAMETERS = new Set(['model', 'input', 'encoding_format']);
const UNSUPPORTED_PARAMETERS: Record<string, string> = {
  dimensions:
    'is not supported: the vectors keep the model’s own size (shortening them needs a model trained for it)',
};

/** Issues for the texts of `input`; a text's position is named only when there are several. */
function inputIssues(input: string | unknown[]): { path: (string | number)[]; message: string }[] {
  const texts: unknown[] = typeof input === 'string' ? [input] : input;
  if (texts.length === 0) return [{ path: ['input'], message: 'must hold at least one text' }];
  if (texts.length > MAX_EMBEDDING_INPUTS) {
    return [{ path: ['input'], message: `at most ${MAX_EMBEDDING_INPUTS} texts per request` }];
  }
  const at = (index: number) => (typeof input === 'string' ? ['input'] : ['input', index]);
  for (const [index, text] of texts.entries()) {
    if (typeof text !== 'string') {
      return [{ path: at(index), message: 'token arrays are not supported; send the text itself' }];
    }
    if (text === '') return [{ path: at(index), message: 'must not be an empty string' }];
  }
  return [];
}

/** `POST /v1/embeddings`: OpenAI's body, text inputs only. */
export const OpenAiEmbeddingRequestSchema = z
  .object({
    model: ModelNameSchema,
    /** A text or a list of texts; checked text by text below, so each refusal says what is wrong. */
    input: z
      .union([z.string(), z.array(z.unknown())], { error: 'must be a text or a list of texts' })
      .describe(`A text, or a list of 1 to ${MAX_EMBEDDING_INPUTS} texts; none may be empty`),
    encoding_format: z.enum(['float', 'base64']).nullish(),
  })
  .catchall(z.unknown())
  .superRefine((body, context) => {
    for (const issue of inputIssues(body.input)) context.addIssue({ code: 'custom', ...issue });
    for (const [key, value] of Object.entries(body)) {
      if (KNOWN_PARAMETERS.has(key) || IGNORABLE_PARAMETERS.has(key)) continue;
      if (value === undefined || value === null) continue;
      context.addIssue({
        code: 'custom',
        path: [key],
        message: UNSUPPORTED_PARAMETERS[key] ?? 'is not a supported parameter',
      });
    }
  })
  .transform((body) => ({
    model: body.model,
    // Every element is a text: the refinement above refused anything else.
    input: typeof body.input === 'string' ? [body.input] : (body.input as string[]),
    encodingFormat: body.encoding_format ?? 'float',
  }));
export type OpenAiEmbeddingRequest = z.output<typeof OpenAiEmbeddingRequestSchema>;

export const OpenAiEmbeddingUsageSchema = z.object({
  prompt_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

export const OpenAiEmbeddingListSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int(),
      /** Numbers, or base64 little-endian float32 with `encoding_format: "base64"`. */
      embedding: z.union([z.array(z.number()), z.string()]),
    }),
  ),
  model: z.string(),
  /** Null when the node reported no count: counts are never invented. */
  usage: OpenAiEmbeddingUsageSchema.nullable(),
});
export type OpenAiEmbeddingList = z.infer<typeof OpenAiEmbeddingListSchema>;
