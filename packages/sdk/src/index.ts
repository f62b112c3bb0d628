/**
 * The consumer SDK: `InfernetClient`, its typed errors and the retry policy.
 * Safe for browsers: nothing here imports a Node built-in or the node
 * signing code, which lives in `@infernetprotocol/sdk/node`.
 *
 * @module
 */
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  InvalidResponseError,
  JobFailedError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SdkError,
  TimeoutError,
  UnprocessableEntityError,
  UserAbortError,
  isRetryableStatus,
  type ApiErrorInit,
  type JobFailedErrorInit,
} from './errors';
export { sleep, type Sleep } from './abort';
export {
  AccountClient,
  DELETE_ACCOUNT_CONFIRMATION,
  normaliseUserCode,
  type AccountClientOptions,
  type DeviceDecision,
  type DeviceRequest,
  type RunPodLaunch,
  type Session,
  type SignInInput,
  type SignUpInput,
} from './account-client';
export { ChatStream, type ChatMeta, type ChatResult, type ChatUsage } from './chat-stream';
export type { EmbeddingsInput, EmbeddingsResult } from './embeddings';
export { DEFAULT_TIMEOUT_MS, type CallOptions, type FetchFunction } from './http-transport';
export {
  InfernetClient,
  type CancelOptions,
  type ChatInput,
  type InfernetClientOptions,
} from './infernet-client';
export type { JobStreamEvent, StreamJobOptions } from './job-stream';
export { path } from './path';
export { DEFAULT_MAX_RETRIES, retryAfterMs, retryDelayMs, shouldRetry } from './retry-policy';
