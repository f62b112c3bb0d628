import type { MiddlewareHandler } from 'hono';
import { reasonToErrorCode, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME, InfernetError, REPLAY_WINDOW_SECONDS } from '@infernet/protocol';
import type { AppEnv, ServerDependencies } from '../context';

/**
 * Verifies the X-Infernet-Auth envelope over the exact method, path with
 * query, and raw body bytes, then records the nonce. Handlers read
 * `publicKey` and `rawBody` and never look at headers.
 */
export function nodeAuth(
  dependencies: Pick<ServerDependencies, 'now' | 'replayStore'>,
): MiddlewareHandler<AppEnv> {
  return async function nodeAuthMiddleware(context, next) {
    const header = context.req.header(AUTH_HEADER_NAME);
    if (!header) {
      throw new InfernetError(
        'AUTH_MISSING',
        'This route needs an X-Infernet-Auth signed envelope; sign requests with your node key.',
      );
    }
    const url = new URL(context.req.url);
    const body = new Uint8Array(await context.req.arrayBuffer());
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
