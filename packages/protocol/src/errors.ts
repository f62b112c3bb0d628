/**
 * The one error table. Codes are part of the public API: clients branch on
 * them, so a code is never renamed, only added.
 */
export const ERROR_TABLE = {
  BAD_REQUEST: { httpStatus: 400, retryable: false },
  AUTH_MISSING: { httpStatus: 401, retryable: false },
  AUTH_MALFORMED: { httpStatus: 401, retryable: false },
  AUTH_UNSUPPORTED_VERSION: { httpStatus: 401, retryable: false },
  AUTH_STALE_TIMESTAMP: { httpStatus: 401, retryable: true },
  AUTH_BAD_SIGNATURE: { httpStatus: 401, retryable: false },
  AUTH_REPLAYED_NONCE: { httpStatus: 401, retryable: false },
  /** The API key is unknown or was revoked. */
  API_KEY_INVALID: { httpStatus: 401, retryable: false },
  /** The deploy token (`infd_…`) is unknown, expired or revoked. */
  DEPLOY_TOKEN_INVALID: { httpStatus: 401, retryable: false },
  /** Device sign-in: the operator has not approved or denied the code yet; poll again. */
  DEVICE_CODE_PENDING: { httpStatus: 400, retryable: true },
  /** Device sign-in: the operator denied the request. */
  DEVICE_CODE_DENIED: { httpStatus: 403, retryable: false },
  /** Device sign-in: nobody answered the request in time; ask for a new code. */
  DEVICE_CODE_EXPIRED: { httpStatus: 410, retryable: false },
  /** Device sign-in: the request was approved or denied already and cannot be decided again. */
  DEVICE_CODE_DECIDED: { httpStatus: 409, retryable: false },
  /** Sign-in with an email and password that do not match an account. */
  CREDENTIALS_INVALID: { httpStatus: 401, retryable: false },
  /** Sign-up with an email that already has an account. */
  ACCOUNT_EXISTS: { httpStatus: 409, retryable: false },
  FORBIDDEN: { httpStatus: 403, retryable: false },
  NOT_FOUND: { httpStatus: 404, retryable: false },
  NODE_NOT_REGISTERED: { httpStatus: 404, retryable: false },
  JOB_NOT_FOUND: { httpStatus: 404, retryable: false },
  /** No live node serves the requested model (the OpenAI-compatible API's answer). */
  MODEL_NOT_FOUND: { httpStatus: 404, retryable: false },
  JOB_STATE_CONFLICT: { httpStatus: 409, retryable: false },
  /** The caller's lease or fencing token is no longer current: another claim superseded it. */
  LEASE_LOST: { httpStatus: 409, retryable: false },
  /** The consumer cancelled the job; the node should stop generating. */
  JOB_CANCELLED: { httpStatus: 409, retryable: false },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, retryable: false },
  RATE_LIMITED: { httpStatus: 429, retryable: true },
  INTERNAL: { httpStatus: 500, retryable: true },
  ENGINE_ERROR: { httpStatus: 502, retryable: true },
  NO_CAPACITY: { httpStatus: 503, retryable: true },
  /** Nodes serve the model, but its queue holds as many jobs as it may; retry after `Retry-After`. */
  QUEUE_FULL: { httpStatus: 503, retryable: true },
  /** The job waited in the queue past its deadline and no node took it; it never will. */
  QUEUE_TIMEOUT: { httpStatus: 503, retryable: true },
  DATABASE_UNAVAILABLE: { httpStatus: 503, retryable: true },
  /** A cloud the user deploys to (RunPod) refused the user's own API key for it. */
  DEPLOY_PROVIDER_UNAUTHORIZED: { httpStatus: 401, retryable: false },
  /** A cloud the user deploys to answered with an error; the message carries the cloud's words. */
  DEPLOY_PROVIDER_ERROR: { httpStatus: 502, retryable: false },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export const ERROR_CODES = Object.keys(ERROR_TABLE) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_TABLE, value);
}

const MARKER = Symbol.for('infernet.error');

export class InfernetError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'InfernetError';
    this.code = code;
    this.details = options.details;
    Object.defineProperty(this, MARKER, { value: true });
  }

  get httpStatus(): number {
    return ERROR_TABLE[this.code].httpStatus;
  }

  get retryable(): boolean {
    return ERROR_TABLE[this.code].retryable;
  }

  /** Works across duplicate copies of this package, where `instanceof` does not. */
  static isInstance(value: unknown): value is InfernetError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
