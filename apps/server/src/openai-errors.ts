import type { InfernetError, OpenAiErrorResponse } from '@infernet/protocol';

/** OpenAI's `type` families; its SDKs pick an exception class from the HTTP status, not these. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The request field an error is about, where one is known. */
function errorParameter(error: InfernetError): string | null {
  if (error.code === 'MODEL_NOT_FOUND') return 'model';
  const issues = error.details?.['issues'];
  if (Array.isArray(issues)) {
    const path = (issues[0] as { path?: unknown } | undefined)?.path;
    if (typeof path === 'string' && path !== '') return path;
  }
  return null;
}

/** OpenAI's error body: `{ error: { message, type, code, param } }`, with our code in lower case. */
export function toOpenAiError(error: InfernetError): OpenAiErrorResponse {
  return {
    error: {
      message: error.message,
      type: errorType(error.httpStatus),
      code: error.code.toLowerCase(),
      param: errorParameter(error),
    },
  };
}

/** Paths under the OpenAI-compatible API, whose clients expect OpenAI's error shape. */
export function isOpenAiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}
