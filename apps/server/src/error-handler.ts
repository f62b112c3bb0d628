import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InfernetError, type ErrorCode, type ErrorResponse } from '@infernet/protocol';
import type { AppEnv } from './context';
import type { Logger } from './logger';

function toInfernetError(error: unknown): InfernetError {
  if (InfernetError.isInstance(error)) return error;
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    return new InfernetError(code, error.message || 'The request was refused.', { cause: error });
  }
  return new InfernetError('INTERNAL', 'Something went wrong on our side.', { cause: error });
}

/**
 * The one place errors become responses: `{ error: { code, message, requestId } }`.
 * Internal messages never reach clients; they are logged with the stack instead.
 */
export function createErrorHandler(logger: Logger) {
  return function handleError(error: unknown, context: Context<AppEnv>): Response {
    const infernetError = toInfernetError(error);
    const requestId = context.get('requestId') ?? 'unknown';
    if (infernetError.code === 'INTERNAL' || infernetError.code === 'DATABASE_UNAVAILABLE') {
      logger.error({ err: error, requestId }, 'request failed');
    }
    const body: ErrorResponse = {
      error: {
        code: infernetError.code,
        message: infernetError.message,
        requestId,
        ...(infernetError.details ? { details: infernetError.details } : {}),
      },
    };
    if (infernetError.retryable && infernetError.httpStatus >= 500) {
      context.header('Retry-After', '1');
    }
    return context.json(body, infernetError.httpStatus as 400);
  };
}
