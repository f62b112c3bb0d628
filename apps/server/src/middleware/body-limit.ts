import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { InfernetError } from '@infernet/protocol';
import type { AppEnv } from '../context';

/**
 * Refuses bodies over `maxBytes` with 413. A request that states its length
 * is judged by the header alone: Node's parser never delivers more than
 * `Content-Length` bytes. Only a chunked body is read and counted here
 * (Hono's `bodyLimit`), which builds a web `Request` around it; doing that
 * for every token batch was a measurable share of a busy relay's time.
 */
export function limitBodies(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = (): never => {
    throw new InfernetError('PAYLOAD_TOO_LARGE', `Bodies are limited to ${maxBytes} bytes.`);
  };
  const countingLimit = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function limitBodiesMiddleware(context, next) {
    const length = context.req.header('content-length');
    if (length !== undefined && context.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) tooLarge();
      await next();
      return;
    }
    context.set('bodyBuffered', true);
    return countingLimit(context, next);
  };
}

/**
 * The request body's exact bytes. Under the Node server, read straight from
 * the socket's stream (no web `Request` is built); elsewhere (tests calling
 * `app.request`), or when `limitBodies` already buffered it, from Hono.
 */
export async function readBodyBytes(context: Context<AppEnv>): Promise<Uint8Array> {
  const incoming = (context.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || context.get('bodyBuffered')) {
    return new Uint8Array(await context.req.arrayBuffer());
  }
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
