import { Hono, type Context } from 'hono';
import {
  InfernetError,
  SignInRequestSchema,
  SignUpRequestSchema,
  parseJson,
  type ErrorCode,
} from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { clientAddress } from '../limits/client-address';
import { CLIENT_IP_HEADER } from './auth';

/** better-auth's codes that have a code of their own here; others map by status. */
const AUTH_CODES: Record<string, ErrorCode> = {
  INVALID_EMAIL_OR_PASSWORD: 'CREDENTIALS_INVALID',
  USER_ALREADY_EXISTS: 'ACCOUNT_EXISTS',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 'ACCOUNT_EXISTS',
};

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'CREDENTIALS_INVALID';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_REQUEST';
}

/**
 * better-auth answers errors as `{ code, message }`; this API answers every
 * error in its one shape, so a refusal becomes an InfernetError with the
 * library's code kept in `details.auth_code`.
 */
async function toInfernetError(response: Response): Promise<InfernetError> {
  const body = (await response.json().catch(() => ({}))) as { code?: unknown; message?: unknown };
  const authCode = typeof body.code === 'string' ? body.code : undefined;
  const code = (authCode && AUTH_CODES[authCode]) || codeForStatus(response.status);
  const message =
    code === 'INTERNAL'
      ? 'Something went wrong on our side.'
      : typeof body.message === 'string' && body.message !== ''
        ? body.message
        : 'The request was refused.';
  const retryAfter = response.headers.get('x-retry-after');
  return new InfernetError(code, message, {
    details: {
      ...(authCode ? { auth_code: authCode } : {}),
      ...(retryAfter ? { retry_after_seconds: Number(retryAfter) } : {}),
    },
  });
}

/**
 * Hands a request to better-auth with the body this API accepted (already
 * validated) and the client address it limits sign-in attempts by, taken
 * from the socket so a client cannot choose its own.
 */
async function forward(context: Context<AppEnv>, auth: ServerDependencies['auth'], body?: unknown) {
  const headers = new Headers(context.req.raw.headers);
  headers.delete(CLIENT_IP_HEADER);
  headers.delete('content-length');
  const address = clientAddress(context, 0);
  if (address) headers.set(CLIENT_IP_HEADER, address);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(context.req.url, {
    method: context.req.method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const response = await auth.handler(request);
  if (response.ok) return response;
  const error = await toInfernetError(response);
  if (error.code === 'RATE_LIMITED' && response.headers.get('x-retry-after')) {
    context.header('Retry-After', response.headers.get('x-retry-after') ?? '10');
  }
  throw error;
}

/**
 * Email-and-password accounts with cookie sessions (better-auth), mounted
 * under `/api/auth`. Only these endpoints are exposed; the library's others
 * (OAuth, password reset by email, account deletion) are not set up here.
 */
export function authRoutes(dependencies: ServerDependencies) {
  const { auth } = dependencies;
  const routes = new Hono<AppEnv>();

  routes.post('/sign-up/email', async (context) => {
    const request = parseJson(await context.req.text(), SignUpRequestSchema);
    const name = request.name ?? request.email.slice(0, request.email.indexOf('@'));
    const response = await forward(context, auth, { ...request, name });
    return new Response(response.body, { status: 201, headers: response.headers });
  });

  routes.post('/sign-in/email', async (context) => {
    const request = parseJson(await context.req.text(), SignInRequestSchema);
    return forward(context, auth, request);
  });

  routes.post('/sign-out', (context) => forward(context, auth, {}));

  routes.get('/get-session', (context) => forward(context, auth));

  return routes;
}
