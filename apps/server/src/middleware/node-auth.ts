import type { MiddlewareHandler } from 'hono';
import { reasonToErrorCode, verifyRequest } from '@infernet/auth';
import {
  AUTH_HEADER_NAME,
  InfernetError,
  LEASE_HEADER_NAME,
  REPLAY_WINDOW_SECONDS,
} from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';
import { readBodyBytes } from './body-limit';

/** Lease tokens are 43 base64url characters; anything much longer is not one. */
const LEASE_TOKEN_MAX_LENGTH = 128;

/**
 * Verifies the X-Infernet-Auth envelope over the exact method, path with
 * query, and raw body bytes, then records the nonce. Handlers read
 * `publicKey` and `rawBody` and never look at headers.
 *
 * Where `acceptsLeaseToken` says so (token batches), an unsigned request may
 * carry a claim's lease token (`X-Infernet-Lease`) instead: it is passed on
 * as `leaseToken` unchecked, because only the job row can say whether it is
 * the current one, and the handler's write checks it in the same statement.
 * Where `leaseTokensInBody` says so (several jobs' batches in one post), an
 * unsigned request passes with neither: each batch in its body names its
 * job's lease token, and the handler's write checks each one.
 */
export function nodeAuth(
  dependencies: Pick<ServerDependencies, 'now' | 'replayStore'>,
  options: {
    acceptsLeaseToken?: (path: string) => boolean;
    leaseTokensInBody?: (path: string) => boolean;
  } = {},
): MiddlewareHandler<AppEnv> {
  return async function nodeAuthMiddleware(context, next) {
    const header = context.req.header(AUTH_HEADER_NAME);
    if (!header && options.leaseTokensInBody?.(context.req.path)) {
      context.set('rawBody', new TextDecoder().decode(await readBodyBytes(context)));
      await next();
      return;
    }
    const leaseToken = context.req.header(LEASE_HEADER_NAME);
    if (!header && leaseToken !== undefined && options.acceptsLeaseToken?.(context.req.path)) {
      if (leaseToken.length === 0 || leaseToken.length > LEASE_TOKEN_MAX_LENGTH) {
        throw new InfernetError('AUTH_MALFORMED', 'The X-Infernet-Lease token is malformed.');
      }
      context.set('leaseToken', leaseToken);
      context.set('rawBody', new TextDecoder().decode(await readBodyBytes(context)));
      await next();
      return;
    }
    if (!header) {
      throw new InfernetError(
        'AUTH_MISSING',
        'This route needs an X-Infernet-Auth signed envelope; sign requests with your node key.',
      );
    }
    const url = new URL(context.req.url);
    const body = await readBodyBytes(context);
    const result = await verifyRequest({
      header,
      request: { method: context.req.method, path: url.pathname + url.search, body },
      now: Math.floor(dependencies.now() / 1000),
      windowSeconds: REPLAY_WINDOW_SECONDS,
      replayStore: dependencies.replayStore,
    });
    if (!result.ok) throw new InfernetError(reasonToErrorCode(result.reason), result.message);
    context.set('publicKey', result.publicKey);
    context.set('rawBody', new TextDecoder().decode(body));
    await next();
  };
}
