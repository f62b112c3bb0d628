import { ApiError, ConnectionError } from './errors';

export const DEFAULT_MAX_RETRIES = 2;
const INITIAL_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 8_000;
/** A server asking us to wait longer than this is treated as a hint, not an order. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Decides whether a failed attempt is worth repeating. Follows openai-node's
 * `shouldRetry`, narrowed by what our error table says: a status that is
 * usually transient is retried only when the server marked the error
 * retryable or repeating the request cannot do harm. A 409 from our server
 * is a real state conflict (stale lease, finished job), so idempotency alone
 * never retries it.
 */
export function shouldRetry(error: unknown, { idempotent }: { idempotent: boolean }): boolean {
  if (error instanceof ConnectionError) return true;
  if (!(error instanceof ApiError)) return false;
  const explicit = error.headers.get('x-should-retry');
  if (explicit === 'true') return true;
  if (explicit === 'false') return false;
  if (error.retryable) return true;
  const transientStatus = error.status === 408 || error.status === 429 || error.status >= 500;
  return transientStatus && idempotent;
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first retry):
 * the server's `Retry-After` when it is sensible, otherwise exponential
 * backoff with up to 25% jitter so a fleet of nodes does not retry in step.
 */
export function retryDelayMs(
  retry: number,
  error: unknown,
  random: () => number = Math.random,
  now: () => number = Date.now,
): number {
  const requested = error instanceof ApiError ? retryAfterMs(error.headers, now()) : undefined;
  if (requested !== undefined && requested >= 0 && requested <= MAX_RETRY_AFTER_MS) {
    return requested;
  }
  const base = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retry, MAX_RETRY_DELAY_MS);
  return base * (1 - random() * 0.25);
}

/** Reads `retry-after-ms`, then `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date - nowMs : undefined;
}
