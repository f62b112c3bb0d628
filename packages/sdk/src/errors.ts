import { ERROR_TABLE, isErrorCode, type ErrorCode } from '@infernet/protocol';

const MARKER = Symbol.for('infernet.sdk.error');

/** Base class of every error the SDK throws, so callers can tell ours from their own. */
export class SdkError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SdkError';
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** Works across duplicate copies of this package (bundled twice), where `instanceof` does not. */
  static isInstance(value: unknown): value is SdkError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

export interface ApiErrorInit {
  status: number;
  /** A code from the protocol error table, or `UNKNOWN` when the body did not carry one (a proxy page, say). */
  code: string;
  message: string;
  requestId: string | null;
  headers: Headers;
  details?: Record<string, unknown>;
}

/** The control plane answered with a non-2xx status. */
export class ApiError extends SdkError {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  /** Whether repeating the same request may succeed; taken from the error table, else from the status. */
  readonly retryable: boolean;
  readonly headers: Headers;
  readonly details: Record<string, unknown> | undefined;
  /**
   * The models live nodes serve, when the server refused a model none of
   * them serves (`details.served_models`); undefined on other errors.
   */
  readonly servedModels: string[] | undefined;

  constructor(init: ApiErrorInit) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.headers = init.headers;
    this.details = init.details;
    this.servedModels = stringList(init.details?.['served_models']);
    this.retryable = isErrorCode(init.code)
      ? ERROR_TABLE[init.code].retryable
      : isRetryableStatus(init.status);
  }

  /** Picks the subclass for a status, as openai-node's `APIError.generate` does. */
  static generate(init: ApiErrorInit): ApiError {
    const ErrorClass = errorClassForStatus(init.status);
    return new ErrorClass(init);
  }
}

export class BadRequestError extends ApiError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends ApiError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends ApiError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends ApiError {
  override name = 'NotFoundError';
}
export class ConflictError extends ApiError {
  override name = 'ConflictError';
}
export class UnprocessableEntityError extends ApiError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends ApiError {
  override name = 'RateLimitError';
}
export class InternalServerError extends ApiError {
  override name = 'InternalServerError';
}

function errorClassForStatus(status: number): typeof ApiError {
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    default:
      return status >= 500 ? InternalServerError : ApiError;
  }
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return undefined;
  return value;
}

/** Statuses worth repeating when the body names no known code (a load balancer's 502, say). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The request never got an HTTP answer: DNS, refused connection, reset, or a body cut off. */
export class ConnectionError extends SdkError {
  constructor(message = 'Connection error.', options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** No answer arrived within `timeoutMs`. A kind of connection error, so one `instanceof` catches both. */
export class TimeoutError extends ConnectionError {
  constructor(message = 'Request timed out.', options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'TimeoutError';
  }
}

/** The caller's `AbortSignal` fired; never retried. */
export class UserAbortError extends SdkError {
  constructor(message = 'Request was aborted.', options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'UserAbortError';
  }
}

/** A 2xx answer whose body does not match the protocol schema: usually a server of another version. */
export class InvalidResponseError extends SdkError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'InvalidResponseError';
  }
}

export interface JobFailedErrorInit {
  jobId: string;
  /** The stream's error code (`ENGINE_ERROR`, `CANCELLED`, `NODE_LOST`, …), when it sent one. */
  code: string | undefined;
  message: string;
  /** Tokens delivered before the failure: what a partial answer is billed on. */
  deliveredTokens: number | undefined;
}

/**
 * The job was accepted but ended with an `error` event instead of `done`:
 * the engine failed, the node was lost, or the job was cancelled. Thrown by
 * the non-streaming calls; a streaming caller sees the `error` event itself.
 */
export class JobFailedError extends SdkError {
  readonly jobId: string;
  readonly code: string | undefined;
  readonly deliveredTokens: number | undefined;

  constructor(init: JobFailedErrorInit) {
    super(init.message);
    this.name = 'JobFailedError';
    this.jobId = init.jobId;
    this.code = init.code;
    this.deliveredTokens = init.deliveredTokens;
  }
}

/**
 * Codes with which the control plane says a job is no longer this node's to
 * work on: another claim superseded ours, the consumer cancelled, or the job
 * already finished. None of them is worth retrying; the node should stop.
 */
export const JOB_GONE_CODES = ['LEASE_LOST', 'JOB_CANCELLED', 'JOB_STATE_CONFLICT'] as const;
export type JobGoneCode = (typeof JOB_GONE_CODES)[number] & ErrorCode;

/** An `ApiError` whose code is one of {@link JOB_GONE_CODES}. */
export type JobGoneError = ApiError & { code: JobGoneCode };

/** The job was claimed again (by this or another node) or its lease ran out: our fencing token is stale. */
export function isLeaseLostError(error: unknown): error is ApiError & { code: 'LEASE_LOST' } {
  return error instanceof ApiError && error.code === 'LEASE_LOST';
}

/** The consumer cancelled the job. */
export function isJobCancelledError(error: unknown): error is ApiError & { code: 'JOB_CANCELLED' } {
  return error instanceof ApiError && error.code === 'JOB_CANCELLED';
}

/** Any refusal meaning "stop working on this job and do not complete it". */
export function isJobGoneError(error: unknown): error is JobGoneError {
  return error instanceof ApiError && (JOB_GONE_CODES as readonly string[]).includes(error.code);
}
