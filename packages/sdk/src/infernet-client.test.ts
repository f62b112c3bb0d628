import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors';
import type { FetchFunction } from './http-transport';
import { InfernetClient } from './infernet-client';

function fetchAnswering(status: number, body: unknown) {
  const urls: string[] = [];
  const fetch: FetchFunction = async (input) => {
    urls.push(String(input));
    return new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, urls };
}

describe('InfernetClient reads', () => {
  it('unwraps models', async () => {
    const { fetch, urls } = fetchAnswering(200, { data: [{ name: 'qwen2.5:7b', nodes: 2 }] });
    const client = new InfernetClient({ baseUrl: 'http://control.test/', fetch });
    await expect(client.models()).resolves.toEqual([{ name: 'qwen2.5:7b', nodes: 2 }]);
    expect(urls).toEqual(['http://control.test/api/models']);
  });

  it('returns the chat job as sent, unwrapped', async () => {
    const job = {
      jobId: 'job-1',
      status: 'queued',
      model: 'demo',
      streamUrl: '/api/chat/stream/job-1?token=t',
      streamToken: 't',
      provider: null,
    };
    const { fetch } = fetchAnswering(201, job);
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(
      client.chat({ messages: [{ role: 'user', content: 'hi' }], model: 'demo' }),
    ).resolves.toEqual(job);
  });

  it('raises the server error with its code', async () => {
    const { fetch } = fetchAnswering(400, {
      error: { code: 'BAD_REQUEST', message: 'messages: required', requestId: 'r1' },
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const failure = client.chat({ messages: [] });
    await expect(failure).rejects.toBeInstanceOf(BadRequestError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_REQUEST', requestId: 'r1' });
  });
});
