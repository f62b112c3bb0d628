import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context';
import type { Logger } from '../logger';

const INCOMING_ID = /^[\w-]{8,64}$/;

/**
 * Gives every request an id (echoed in `X-Request-Id` and in error bodies) and
 * logs one line per request. It logs the route pattern, never the query string
 * (stream tokens travel there) nor any header.
 */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(context, next) {
    const incoming = context.req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
    context.set('requestId', requestId);
    context.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    logger.info(
      {
        requestId,
        method: context.req.method,
        route: context.req.routePath,
        status: context.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}
