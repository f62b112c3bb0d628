import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { InfernetError, type ErrorCode, type ErrorResponse } from '@infernet/protocol';
import type { AppEnv } from './context';
import type { Logger } from './logger';
import { isOpenAiPath, toOpenAiError } from './openai-errors';

function toInfernetError(error: unknown): InfernetError {
  if (InfernetError.isInstance(error)) return error;
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    return new InfernetError(code, error.message || 'The request was refused.', { cause: error });
  }
  return new InfernetError('INTERNAL', 'Something went wrong on our side.', { cause: error });
}

/**
 * The one place errors become responses: `{ error: { code, message, requestId } }`,
 * or OpenAI's shape under `/v1` so its SDKs can read them (the request id then
 * travels only in `X-Request-Id`). Internal messages never reach clients; they
 * are logged with the stack instead.
 */
export function createErrorHandler(logger: Logger) {
  return function handleError(error: unknown, context: Context<AppEnv>): Response {
    const infernetError = toInfernetError(error);
    const requestId = context.get('requestId') ?? 'unknown';
    if (infernetError.code === 'INTERNAL' || infernetError.code === 'DATABASE_UNAVAILABLE') {
      logger.error({ err: error, requestId }, 'request failed');
    }
    if (infernetError.retryable && infernetError.httpStatus >= 500) {
      context.header('Retry-After', '1');
    }
    // Every refusal says when to come back; limits and the queue that know put it in their details.
    const seconds = infernetError.details?.['retry_after_seconds'];
    if (typeof seconds === 'number') context.header('Retry-After', String(seconds));
    else if (infernetError.code === 'RATE_LIMITED') context.header('Retry-After', '1');
    if (isOpenAiPath(context.req.path)) {
      return context.json(toOpenAiError(infernetError), infernetError.httpStatus as 400);
    }
    const body: ErrorResponse = {
      error: {
        code: infernetError.code,
        message: infernetError.message,
        requestId,
        ...(infernetError.details ? { details: infernetError.details } : {}),
      },
    };
    return context.json(body, infernetError.httpStatus as 400);
  };
}
