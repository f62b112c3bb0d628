import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, TimeoutError, UserAbortError } from './errors';
import { retryAfterMs, retryDelayMs, shouldRetry } from './retry-policy';

function apiError(status: number, code = 'UNKNOWN', headers: Record<string, string> = {}) {
  return ApiError.generate({
    status,
    code,
    message: 'x',
    requestId: null,
    headers: new Headers(headers),
  });
}

describe('shouldRetry', () => {
  it('retries connection errors and timeouts, never aborts', () => {
    expect(shouldRetry(new ConnectionError(), { idempotent: false })).toBe(true);
    expect(shouldRetry(new TimeoutError(), { idempotent: false })).toBe(true);
    expect(shouldRetry(new UserAbortError(), { idempotent: true })).toBe(false);
    expect(shouldRetry(new Error('bug'), { idempotent: true })).toBe(false);
  });

  it('retries errors the server marks retryable, whatever the method', () => {
    expect(shouldRetry(apiError(503, 'NO_CAPACITY'), { idempotent: false })).toBe(true);
    expect(shouldRetry(apiError(429, 'RATE_LIMITED'), { idempotent: false })).toBe(true);
  });

  it('retries a transient status without a known code only when idempotent', () => {
    expect(shouldRetry(apiError(504), { idempotent: true })).toBe(true);
    expect(shouldRetry(apiError(408), { idempotent: true })).toBe(true);
  });

  it('never retries client errors or a state conflict', () => {
    expect(shouldRetry(apiError(400, 'BAD_REQUEST'), { idempotent: true })).toBe(false);
    expect(shouldRetry(apiError(404, 'JOB_NOT_FOUND'), { idempotent: true })).toBe(false);
    expect(shouldRetry(apiError(409, 'JOB_STATE_CONFLICT'), { idempotent: true })).toBe(false);
  });

  it('obeys x-should-retry over everything else', () => {
    expect(
      shouldRetry(apiError(400, 'BAD_REQUEST', { 'x-should-retry': 'true' }), {
        idempotent: false,
      }),
    ).toBe(true);
    expect(
      shouldRetry(apiError(503, 'NO_CAPACITY', { 'x-should-retry': 'false' }), {
        idempotent: true,
      }),
    ).toBe(false);
  });
});

describe('retryDelayMs', () => {
  it('backs off exponentially with at most 25% jitter, capped at 8 s', () => {
    expect(retryDelayMs(0, new ConnectionError(), () => 0)).toBe(500);
    expect(retryDelayMs(1, new ConnectionError(), () => 0)).toBe(1000);
    expect(retryDelayMs(1, new ConnectionError(), () => 1)).toBe(750);
    expect(retryDelayMs(10, new ConnectionError(), () => 0)).toBe(8000);
  });

  it('honours Retry-After in seconds, milliseconds or as a date', () => {
    expect(retryDelayMs(0, apiError(429, 'RATE_LIMITED', { 'retry-after': '3' }))).toBe(3000);
    expect(retryDelayMs(0, apiError(429, 'RATE_LIMITED', { 'retry-after-ms': '250' }))).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const headers = new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' });
    expect(retryAfterMs(headers, now)).toBe(5000);
  });

  it('ignores an absurd Retry-After and backs off normally', () => {
    const error = apiError(503, 'NO_CAPACITY', { 'retry-after': '86400' });
    expect(retryDelayMs(0, error, () => 0)).toBe(500);
  });
});
