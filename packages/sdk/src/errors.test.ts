import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SdkError,
  TimeoutError,
  UnprocessableEntityError,
  isJobCancelledError,
  isJobGoneError,
  isLeaseLostError,
} from './errors';

function generate(status: number, code = 'UNKNOWN') {
  return ApiError.generate({
    status,
    code,
    message: 'boom',
    requestId: 'req-1',
    headers: new Headers(),
  });
}

describe('ApiError.generate', () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ])('maps HTTP %i to %o', (status, ErrorClass) => {
    const error = generate(status);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.status).toBe(status);
    expect(error.requestId).toBe('req-1');
  });

  it('keeps other statuses as a plain ApiError', () => {
    const error = generate(418);
    expect(error.constructor).toBe(ApiError);
  });

  it('takes retryable from the error table when the code is known', () => {
    expect(generate(503, 'NO_CAPACITY').retryable).toBe(true);
    expect(generate(409, 'JOB_STATE_CONFLICT').retryable).toBe(false);
    expect(generate(401, 'AUTH_STALE_TIMESTAMP').retryable).toBe(true);
    expect(generate(400, 'BAD_REQUEST').retryable).toBe(false);
  });

  it('falls back to the status for codes it does not know', () => {
    expect(generate(502).retryable).toBe(true);
    expect(generate(429).retryable).toBe(true);
    expect(generate(404).retryable).toBe(false);
  });
});

describe('SdkError.isInstance', () => {
  it('recognises every SDK error and nothing else', () => {
    expect(SdkError.isInstance(generate(400))).toBe(true);
    expect(SdkError.isInstance(new TimeoutError())).toBe(true);
    expect(SdkError.isInstance(new Error('x'))).toBe(false);
    expect(SdkError.isInstance(null)).toBe(false);
  });

  it('makes a timeout a connection error', () => {
    expect(new TimeoutError()).toBeInstanceOf(ConnectionError);
  });
});

describe('job-gone helpers', () => {
  it.each([
    ['LEASE_LOST', true, true, false],
    ['JOB_CANCELLED', true, false, true],
    ['JOB_STATE_CONFLICT', true, false, false],
  ])('recognise %s', (code, gone, leaseLost, cancelled) => {
    const error = generate(409, code);
    expect(isJobGoneError(error)).toBe(gone);
    expect(isLeaseLostError(error)).toBe(leaseLost);
    expect(isJobCancelledError(error)).toBe(cancelled);
  });

  it('ignore other errors and non-errors', () => {
    for (const value of [
      generate(409, 'UNKNOWN'),
      generate(404, 'JOB_NOT_FOUND'),
      generate(503, 'NO_CAPACITY'),
      new ConnectionError(),
      new Error('LEASE_LOST'),
      { code: 'LEASE_LOST' },
      undefined,
    ]) {
      expect(isJobGoneError(value)).toBe(false);
      expect(isLeaseLostError(value)).toBe(false);
      expect(isJobCancelledError(value)).toBe(false);
    }
  });
});
