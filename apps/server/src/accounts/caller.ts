import type { Context } from 'hono';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { hashApiKey, looksLikeApiKey } from './api-key-secret';
import { looksLikeDeployToken } from './deploy-token-secret';

/** Who is asking: an account, through one of its API keys or a dashboard session. */
export interface Caller {
  accountId: string;
  via: 'api-key' | 'session';
}

/** Keys longer than this are not ours; refusing them early spares a hash and a query. */
export const MAX_API_KEY_LENGTH = 128;

export function bearerToken(context: Context<AppEnv>): string | undefined {
  const authorization = context.req.header('authorization');
  if (!authorization?.startsWith('Bearer ')) return undefined;
  return authorization.slice('Bearer '.length).trim() || undefined;
}

async function apiKeyCaller(
  dependencies: Pick<ServerDependencies, 'db'>,
  key: string,
): Promise<Caller> {
  const found =
    key.length <= MAX_API_KEY_LENGTH
      ? await dependencies.db.accounts.findApiKey(hashApiKey(key))
      : null;
  if (!found) throw new InfernetError('API_KEY_INVALID', 'This API key is unknown or was revoked.');
  return { accountId: found.accountId, via: 'api-key' };
}

/** The dashboard's signed session cookie, checked by the auth library. */
export async function sessionCaller(
  dependencies: Pick<ServerDependencies, 'auth'>,
  context: Context<AppEnv>,
): Promise<Caller | null> {
  if (!context.req.header('cookie')) return null;
  const session = await dependencies.auth.api.getSession({ headers: context.req.raw.headers });
  return session ? { accountId: session.user.id, via: 'session' } : null;
}

/**
 * The caller of a consumer request: an `Authorization: Bearer` API key (an
 * unknown or revoked one is refused with 401, never treated as anonymous),
 * else a session cookie, else nobody. A Bearer value that is not an API key
 * is left alone: it may be a job's stream token. A deploy token is refused:
 * it provisions nodes and must not pass for anonymous use either.
 */
export async function identifyCaller(
  dependencies: Pick<ServerDependencies, 'db' | 'auth'>,
  context: Context<AppEnv>,
): Promise<Caller | null> {
  // Already found by `identifyApiKeys`, which ran before the limits.
  const known = context.get('apiKey');
  if (known) return { accountId: known.accountId, via: 'api-key' };
  const bearer = bearerToken(context);
  if (bearer && looksLikeApiKey(bearer)) return apiKeyCaller(dependencies, bearer);
  if (bearer && looksLikeDeployToken(bearer)) {
    throw new InfernetError(
      'API_KEY_INVALID',
      'A deploy token (infd_…) only provisions nodes; call this API with an API key (inf_…).',
    );
  }
  return sessionCaller(dependencies, context);
}

/**
 * A browser names the page that sent a request in `Origin`; a write carrying
 * a session cookie from another site's page is refused, as better-auth does
 * for its own routes (SameSite=Lax cookies are the first line).
 */
function refuseForeignOrigin(
  dependencies: Pick<ServerDependencies, 'auth'>,
  context: Context<AppEnv>,
): void {
  const origin = context.req.header('origin');
  if (!origin || context.req.method === 'GET') return;
  const trusted = [new URL(context.req.url).origin, dependencies.auth.options.baseURL];
  if (!trusted.includes(origin)) {
    throw new InfernetError('FORBIDDEN', 'This request came from a page of another site.');
  }
}

/** A signed-in dashboard session, or 401: managing keys and nodes needs one. */
export async function requireSession(
  dependencies: Pick<ServerDependencies, 'auth'>,
  context: Context<AppEnv>,
): Promise<Caller> {
  refuseForeignOrigin(dependencies, context);
  const caller = await sessionCaller(dependencies, context);
  if (!caller) {
    throw new InfernetError(
      'AUTH_MISSING',
      'Sign in first: this needs a session cookie from /api/auth.',
    );
  }
  return caller;
}
