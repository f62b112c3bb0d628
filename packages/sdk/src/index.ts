export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SdkError,
  TimeoutError,
  UnprocessableEntityError,
  UserAbortError,
  JOB_GONE_CODES,
  isJobCancelledError,
  isJobGoneError,
  isLeaseLostError,
  isRetryableStatus,
  type ApiErrorInit,
  type JobGoneCode,
  type JobGoneError,
} from './errors';
export { sleep, type Sleep } from './abort';
export { DEFAULT_TIMEOUT_MS, type FetchFunction } from './http-transport';
export { InfernetClient, type ChatInput, type InfernetClientOptions } from './infernet-client';
export type { JobStreamEvent, StreamJobOptions } from './job-stream';
export {
  NodeClient,
  type CallOptions,
  type CompleteInput,
  type HeartbeatInput,
  type NodeClientOptions,
  type PollOptions,
  type PollResult,
  type PostEventsInput,
  type PostEventsOptions,
  type RegisterInput,
  type ReleaseInput,
} from './node-client';
export { path } from './path';
export { DEFAULT_MAX_RETRIES, retryAfterMs, retryDelayMs, shouldRetry } from './retry-policy';
