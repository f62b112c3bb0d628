import { z } from 'zod';
import { ErrorResponseSchema, OpenAiErrorResponseSchema } from '@infernet/protocol';
import { isOpenAiPath } from '../openai-errors';
import { OPERATIONS, type Operation, type Security } from './operations';

/** Each entry is one way to satisfy the operation; `{}` means no credentials at all. */
const SECURITY_REQUIREMENTS: Record<Security, Record<string, never[]>[]> = {
  none: [],
  'node-signature': [{ 'node-signature': [] }],
  'stream-token': [{ 'stream-token': [] }],
  consumer: [{}, { 'api-key': [] }, { session: [] }],
  'job-owner': [{ 'stream-token': [] }, { 'api-key': [] }, { session: [] }],
  session: [{ session: [] }],
  account: [{ 'api-key': [] }, { session: [] }],
  'node-signature-and-session': [{ 'node-signature': [], session: [] }],
  'deploy-token': [{ 'deploy-token': [] }],
  'node-signature-and-session-or-deploy-token': [
    { 'node-signature': [], session: [] },
    { 'node-signature': [], 'deploy-token': [] },
  ],
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    // Ids are UUIDs; other parameters (a device sign-in's user code) are plain text.
    schema: match[1]!.endsWith('Id') ? { type: 'string', format: 'uuid' } : { type: 'string' },
  }));
}

function describe(operation: Operation) {
  const success =
    typeof operation.response === 'string'
      ? {
          description:
            operation.response === 'text/event-stream' ? 'An event stream' : 'A shell script',
          content: { [operation.response]: { schema: { type: 'string' } } },
        }
      : {
          description: 'Success',
          content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } },
        };
  return {
    summary: operation.summary,
    tags: [operation.tag],
    parameters: pathParameters(operation.path),
    security: SECURITY_REQUIREMENTS[operation.security],
    ...(operation.request
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(operation.request, 'input') } },
          },
        }
      : {}),
    responses: {
      [String(operation.successStatus ?? 200)]: success,
      default: {
        description: 'Error',
        content: {
          'application/json': {
            // The OpenAI-compatible API answers errors in OpenAI's shape.
            schema: jsonSchema(
              isOpenAiPath(operation.path) ? OpenAiErrorResponseSchema : ErrorResponseSchema,
              'output',
            ),
          },
        },
      },
    },
  };
}

/** OpenAPI 3.1, generated from the protocol schemas: never written by hand. */
export function createOpenApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = describe(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Infernet control plane',
      version,
      description:
        'Consumers queue chat jobs and read their tokens over SSE; GPU nodes sign every request with their Nostr key (X-Infernet-Auth v1).',
    },
    components: {
      securitySchemes: {
        'node-signature': {
          type: 'apiKey',
          in: 'header',
          name: 'X-Infernet-Auth',
          description:
            'base64url(JSON {v,pubkey,created_at,nonce,sig}); sig is BIP-340 over sha256("METHOD\\npath\\ncreated_at\\nnonce\\nsha256_hex(body)").',
        },
        'stream-token': {
          type: 'http',
          scheme: 'bearer',
          description: 'The streamToken from POST /api/chat, or ?token=.',
        },
        'api-key': {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (`inf_…`) from POST /api/keys.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'infernet.session_token',
          description: 'The session cookie set by /api/auth/sign-in/email or sign-up/email.',
        },
        'deploy-token': {
          type: 'http',
          scheme: 'bearer',
          description: 'A deploy token (`infd_…`) from POST /api/deploy/tokens.',
        },
      },
    },
    paths,
  };
}
