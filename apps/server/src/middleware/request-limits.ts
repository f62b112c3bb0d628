import type { Hono } from 'hono';
import type { AppEnv } from '../context';
import type { Limits } from '../limits/limits';
import { limitChatSubmissions, limitConsumerRequests, limitOpenStreams } from './consumer-limits';
import { limitNodeAddresses } from './node-limits';

/** Where a consumer creates a job. */
const SUBMIT_PATHS = ['/api/chat', '/v1/chat/completions', '/v1/embeddings'];
/** Where a consumer holds a connection open while a job runs. */
const STREAM_PATHS = ['/api/chat/stream/*', '/v1/chat/completions', '/v1/embeddings'];

/**
 * Registers the limits that run before any route: every consumer request
 * (`/api/chat*`, `/v1/*`) is counted, submissions again on their own stricter
 * limit and checked for their message count, streams are capped per
 * consumer, and node requests per address. Per-key node limits need the
 * verified key, so the node routes apply them after the signature check
 * (`limitNodeKeys`).
 */
export function useRequestLimits(app: Hono<AppEnv>, limits: Limits): void {
  app.use('/api/v1/node/*', limitNodeAddresses(limits));
  // `/api/chat/*` matches `/api/chat` itself too.
  for (const path of ['/api/chat/*', '/v1/*']) app.use(path, limitConsumerRequests(limits));
  // Middleware for every method, not `app.post`, so that no route is registered here.
  for (const path of SUBMIT_PATHS) app.use(path, limitChatSubmissions(limits));
  for (const path of STREAM_PATHS) app.use(path, limitOpenStreams(limits));
}
