import type { z } from 'zod';
import {
  ApiKeyListResponseSchema,
  ApiKeyResponseSchema,
  CreateApiKeyRequestSchema,
  LinkNodeResponseSchema,
  ListPaymentsRequestSchema,
  ListPaymentsResponseSchema,
  ListPayoutsResponseSchema,
  SetPayoutRequestSchema,
  SetPayoutResponseSchema,
  RevokeApiKeyResponseSchema,
  SessionResponseSchema,
  SignInRequestSchema,
  SignInResponseSchema,
  SignOutResponseSchema,
  SignUpRequestSchema,
  CancelResponseSchema,
  ReleaseRequestSchema,
  ReleaseResponseSchema,
  ChatRequestSchema,
  ChatResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  EventBatchesRequestSchema,
  EventBatchesResponseSchema,
  EventsRequestSchema,
  EventsResponseSchema,
  HealthResponseSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  MeResponseSchema,
  OpenAiChatCompletionRequestSchema,
  OpenAiChatCompletionSchema,
  OpenAiEmbeddingListSchema,
  OpenAiEmbeddingRequestSchema,
  OpenAiModelListSchema,
  ModelsResponseSchema,
  OverviewResponseSchema,
  PollRequestSchema,
  PollResponseSchema,
  ProvidersResponseSchema,
  ReadinessResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
  RemoveResponseSchema,
  RoleOnlyRequestSchema,
  dataEnvelope,
} from '@infernet/protocol';
import { DASHBOARD_OPERATIONS } from './dashboard-operations';
import { DEPLOY_OPERATIONS } from './deploy-operations';
import { RUNPOD_OPERATIONS } from './runpod-operations';

/**
 * Who may call: `consumer` is public, and an API key or session makes the
 * job the account's; `job-owner` is the job's stream token or its owner's key
 * or session.
 */
export type Security =
  | 'none'
  | 'node-signature'
  | 'stream-token'
  | 'consumer'
  | 'job-owner'
  | 'session'
  /** An API key or a session: the account's own data, read-only. */
  | 'account'
  | 'node-signature-and-session'
  | 'deploy-token'
  | 'node-signature-and-session-or-deploy-token';

export interface Operation {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template, e.g. `/api/chat/stream/{jobId}`. */
  path: string;
  summary: string;
  tag: 'node' | 'chat' | 'openai' | 'public' | 'health' | 'accounts';
  security: Security;
  request?: z.ZodType;
  response: z.ZodType | 'text/event-stream' | 'text/x-shellscript';
  successStatus?: number;
}

const node = (
  path: string,
  summary: string,
  request: z.ZodType,
  response: z.ZodType,
): Operation => ({
  method: 'post',
  path: `/api/v1/node/${path}`,
  summary,
  tag: 'node',
  security: 'node-signature',
  request,
  response: dataEnvelope(response),
});

/** Every route the server answers, with its schemas: the source of `/openapi.json`. */
export const OPERATIONS: readonly Operation[] = [
  node(
    'register',
    'Create or update the node row owned by the signing key',
    RegisterRequestSchema,
    RegisterResponseSchema,
  ),
  node(
    'heartbeat',
    'Refresh liveness, status and sanitised specs',
    HeartbeatRequestSchema,
    HeartbeatResponseSchema,
  ),
  node('me', "Read the signing node's own row", RoleOnlyRequestSchema, MeResponseSchema),
  node('remove', "Delete the signing node's row", RoleOnlyRequestSchema, RemoveResponseSchema),
  node(
    'jobs/poll',
    'Claim queued jobs for the served models; long-polls up to `wait` seconds',
    PollRequestSchema,
    PollResponseSchema,
  ),
  node(
    'jobs/{jobId}/events',
    'Append streamed events (meta, token) to a held job',
    EventsRequestSchema,
    EventsResponseSchema,
  ),
  {
    method: 'post',
    path: '/api/v1/node/events',
    summary:
      'Append token batches for several held jobs at once; each batch carries its claim lease token and gets its own result',
    tag: 'node',
    security: 'none',
    request: EventBatchesRequestSchema,
    response: dataEnvelope(EventBatchesResponseSchema),
  },
  node(
    'jobs/{jobId}/release',
    'Hand a held job back (draining); re-queued at once if no token reached the consumer',
    ReleaseRequestSchema,
    ReleaseResponseSchema,
  ),
  node(
    'jobs/{jobId}/complete',
    'Finish a held job; repeating it changes nothing',
    CompleteRequestSchema,
    CompleteResponseSchema,
  ),
  node(
    'payouts/set',
    'Set the payout address for one coin (see the coin list); replaces the earlier one',
    SetPayoutRequestSchema,
    SetPayoutResponseSchema,
  ),
  node(
    'payouts/list',
    "List the signing node's payout addresses",
    RoleOnlyRequestSchema,
    ListPayoutsResponseSchema,
  ),
  node(
    'payments/list',
    "The signing node's recent earnings from the ledger, newest first, and its balance",
    ListPaymentsRequestSchema,
    ListPaymentsResponseSchema,
  ),
  {
    method: 'post',
    path: '/api/chat',
    summary: 'Queue a chat job for a served model; returns its stream URL and token',
    tag: 'chat',
    security: 'consumer',
    request: ChatRequestSchema,
    response: ChatResponseSchema,
    successStatus: 201,
  },
  {
    method: 'post',
    path: '/api/chat/{jobId}/cancel',
    summary: 'Cancel an unfinished job; the node stops at its next exchange',
    tag: 'chat',
    security: 'job-owner',
    response: CancelResponseSchema,
  },
  {
    method: 'get',
    path: '/api/chat/stream/{jobId}',
    summary: 'Server-Sent Events: job, meta, token, done, error; resumable with Last-Event-ID',
    tag: 'chat',
    security: 'job-owner',
    response: 'text/event-stream',
  },
  {
    method: 'post',
    path: '/v1/chat/completions',
    summary:
      'OpenAI-compatible chat completion on the same queue as /api/chat; `stream: true` answers chat.completion.chunk SSE',
    tag: 'openai',
    security: 'consumer',
    request: OpenAiChatCompletionRequestSchema,
    response: OpenAiChatCompletionSchema,
  },
  {
    method: 'post',
    path: '/v1/embeddings',
    summary:
      'OpenAI-compatible embeddings (up to 2048 texts) as a job on the same queue; answers once a node has embedded them',
    tag: 'openai',
    security: 'consumer',
    request: OpenAiEmbeddingRequestSchema,
    response: OpenAiEmbeddingListSchema,
  },
  {
    method: 'get',
    path: '/v1/models',
    summary: 'OpenAI-compatible list of models served by live nodes, with node counts',
    tag: 'openai',
    security: 'none',
    response: OpenAiModelListSchema,
  },
  {
    method: 'post',
    path: '/api/auth/sign-up/email',
    summary: 'Create an account with email and password; signs in (Set-Cookie)',
    tag: 'accounts',
    security: 'none',
    request: SignUpRequestSchema,
    response: SignInResponseSchema,
    successStatus: 201,
  },
  {
    method: 'post',
    path: '/api/auth/sign-in/email',
    summary: 'Sign in with email and password; the session is a cookie (Set-Cookie)',
    tag: 'accounts',
    security: 'none',
    request: SignInRequestSchema,
    response: SignInResponseSchema,
  },
  {
    method: 'post',
    path: '/api/auth/sign-out',
    summary: 'End the current session',
    tag: 'accounts',
    security: 'session',
    response: SignOutResponseSchema,
  },
  {
    method: 'get',
    path: '/api/auth/get-session',
    summary: 'The signed-in account and session, or null',
    tag: 'accounts',
    security: 'session',
    response: SessionResponseSchema,
  },
  {
    method: 'post',
    path: '/api/keys',
    summary: 'Create an API key; the key is shown in this response only',
    tag: 'accounts',
    security: 'session',
    request: CreateApiKeyRequestSchema,
    response: ApiKeyResponseSchema,
    successStatus: 201,
  },
  {
    method: 'get',
    path: '/api/keys',
    summary: "The account's API keys that are not revoked (never the keys themselves)",
    tag: 'accounts',
    security: 'session',
    response: ApiKeyListResponseSchema,
  },
  {
    method: 'delete',
    path: '/api/keys/{keyId}',
    summary: 'Revoke an API key; requests with it get 401 from then on',
    tag: 'accounts',
    security: 'session',
    response: RevokeApiKeyResponseSchema,
  },
  {
    method: 'post',
    path: '/api/nodes/link',
    summary:
      "Link the signing node to the signed-in account, or to a deploy token's account (node key and session or token in one request)",
    tag: 'accounts',
    security: 'node-signature-and-session-or-deploy-token',
    response: LinkNodeResponseSchema,
  },
  {
    method: 'get',
    path: '/api/overview',
    summary: 'Network at a glance',
    tag: 'public',
    security: 'none',
    response: OverviewResponseSchema,
  },
  {
    method: 'get',
    path: '/api/providers',
    summary: 'Nodes with coarse capability only',
    tag: 'public',
    security: 'none',
    response: ProvidersResponseSchema,
  },
  {
    method: 'get',
    path: '/api/models',
    summary: 'Models served by live nodes, with node counts',
    tag: 'public',
    security: 'none',
    response: ModelsResponseSchema,
  },
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process answers',
    tag: 'health',
    security: 'none',
    response: HealthResponseSchema,
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'The database answers',
    tag: 'health',
    security: 'none',
    response: ReadinessResponseSchema,
  },
  ...DEPLOY_OPERATIONS,
  ...DASHBOARD_OPERATIONS,
  ...RUNPOD_OPERATIONS,
];
