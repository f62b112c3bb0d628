import { describe, expect, it } from 'vitest';
import { ApiError, ConnectionError, JobFailedError } from '@infernetprotocol/sdk';
import { describeChatError, describeStreamError } from './describe-chat-failure';

function apiError(
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return ApiError.generate({
    status,
    code,
    message,
    requestId: 'r1',
    headers: new Headers(),
    details,
  });
}

describe('describeChatError', () => {
  it('says plainly when nobody can serve, with the server’s reason', () => {
    const failure = describeChatError(
      apiError(503, 'NO_CAPACITY', 'No node is online right now; try again later.'),
      'qwen2.5:7b',
    );
    expect(failure.title).toBe('Nobody can serve this right now');
    expect(failure.advice).toContain('No node is online right now');
    expect(failure.advice).toContain('no fallback');
    expect(failure.stopped).toBe(false);
  });

  it('explains a full queue', () => {
    const failure = describeChatError(
      apiError(503, 'QUEUE_FULL', 'Every node serving "m" is busy. Retry in about 4 s.'),
      'm',
    );
    expect(failure.title).toBe('Every node for this model is busy');
    expect(failure.advice).toContain('Retry in about 4 s');
  });

  it('lists what is served when the model is unknown', () => {
    const failure = describeChatError(
      apiError(404, 'MODEL_NOT_FOUND', 'No live node serves "x".', { served_models: ['a', 'b'] }),
      'x',
    );
    expect(failure.advice).toBe('Served now: a, b.');
  });

  it('tells a lost connection from a refusal', () => {
    expect(describeChatError(new ConnectionError(), 'm').title).toBe(
      'Cannot reach the control plane',
    );
  });

  it('treats a cancelled job as stopped, not failed', () => {
    const cancelled = new JobFailedError({
      jobId: 'j',
      code: 'CANCELLED',
      message: 'Cancelled by the consumer.',
      deliveredTokens: 3,
    });
    expect(describeChatError(cancelled, 'm').stopped).toBe(true);
    expect(describeStreamError('QUEUE_TIMEOUT', 'Waited 60 s.').title).toBe(
      'No node took the job in time',
    );
  });
});
