import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { InfernetError, parseJson } from '@infernet/protocol';
import type { AppEnv } from '../context';
import type { Identity } from '../limits/identity';
import type { Limits } from '../limits/limits';

/**
 * Whom consumer limits count: the API key when one authenticated the request
 * (accounts set the `consumerIdentity` variable with `apiKeyIdentity(id)`
 * before these middleware run), otherwise the client's address.
 */
export function consumerIdentity(context: Context<AppEnv>, limits: Limits): Identity {
  return context.get('consumerIdentity') ?? limits.addressOf(context);
}

/** Counts every consumer request; 429 with Retry-After past the limit. */
export function limitConsumerRequests(limits: Limits): MiddlewareHandler<AppEnv> {
  return async function limitConsumerRequestsMiddleware(context, next) {
    await limits.rates.consume('consumerRequests', consumerIdentity(context, limits));
    await next();
  };
}

const MessagesSchema = z.object({ messages: z.array(z.unknown()) });

/**
 * How many messages a chat request carries, or undefined when the body is
 * not one (the route's own validation answers that). This reads the body
 * once more than the route does; Hono keeps the text, so it comes off the
 * wire only once.
 */
async function messageCount(context: Context<AppEnv>): Promise<number | undefined> {
  // A body over the size limit fails here, and again (cached) in the route.
  const text = await context.req.text();
  try {
    return parseJson(text, MessagesSchema).messages.length;
  } catch {
    return undefined;
  }
}

/**
 * A submission (POST) is counted again on the stricter chat limit (429),
 * and refused with 413 when it carries more messages than allowed. Other
 * methods pass untouched.
 */
export function limitChatSubmissions(limits: Limits): MiddlewareHandler<AppEnv> {
  const maxMessages = limits.settings.maxChatMessages;
  return async function limitChatSubmissionsMiddleware(context, next) {
    if (context.req.method !== 'POST') return next();
    await limits.rates.consume('chatSubmits', consumerIdentity(context, limits));
    const count = await messageCount(context);
    if (count !== undefined && count > maxMessages) {
      const message = `This request has ${count} messages; at most ${maxMessages} are accepted. Send a shorter conversation.`;
      throw new InfernetError('PAYLOAD_TOO_LARGE', message, {
        details: { issues: [{ path: 'messages', message }], limit: maxMessages },
      });
    }
    await next();
  };
}

/** Hands `body` on unchanged and calls `release` once it ended, failed or was cancelled by the client. */
function releasingWhenDone(body: ReadableStream<Uint8Array>, release: () => void) {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
}

/**
 * Caps the streams one consumer holds open in this copy (429 past it). A
 * slot is held while the handler waits for the job and, for an event
 * stream, until the stream ends or the client goes away.
 */
export function limitOpenStreams(limits: Limits): MiddlewareHandler<AppEnv> {
  return async function limitOpenStreamsMiddleware(context, next) {
    if (!limits.streams) return next();
    const release = limits.streams.acquire(consumerIdentity(context, limits));
    try {
      await next();
    } catch (error) {
      release();
      throw error;
    }
    const response = context.res;
    const streaming = response.headers.get('content-type')?.startsWith('text/event-stream');
    if (!streaming || !response.body || response.status >= 400) {
      release();
      return;
    }
    context.res = new Response(releasingWhenDone(response.body, release), response);
  };
}
