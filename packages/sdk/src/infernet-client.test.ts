import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  InvalidResponseError,
  JobFailedError,
  NotFoundError,
  SdkError,
} from './errors';
import type { FetchFunction } from './http-transport';
import { InfernetClient } from './infernet-client';
import type { JobStreamEvent } from './job-stream';

interface SentRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

type Route = (request: SentRequest) => Response;

/** A fetch that answers by `METHOD /path` and records every request. */
function routedFetch(routes: Record<string, Route>) {
  const sent: SentRequest[] = [];
  const fetch: FetchFunction = async (input, init = {}) => {
    const url = new URL(String(input));
    const request: SentRequest = {
      url: url.href,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(request);
    const route = routes[`${request.method} ${url.pathname}`];
    if (!route) throw new Error(`no route for ${request.method} ${url.pathname}`);
    return route(request);
  };
  return { fetch, sent };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const sse = (text: string) => () =>
  new Response(text, { headers: { 'content-type': 'text/event-stream' } });

function frame(event: string, data: unknown, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

const JOB = {
  jobId: 'job-1',
  status: 'queued',
  model: 'demo',
  streamUrl: '/api/chat/stream/job-1?token=t0k',
  streamToken: 't0k',
  provider: null,
};
const META = { provider_node_id: 'node-1', provider_name: 'n', model: 'demo', engine: 'ollama' };
const STREAM =
  frame('job', {
    id: 'job-1',
    status: 'queued',
    model: 'demo',
    created_at: '2026-03-01T12:00:00Z',
  }) +
  frame('meta', META, 1) +
  frame('token', { text: 'Hel' }, 2) +
  frame('token', { text: 'lo' }, 3) +
  frame(
    'done',
    {
      text: 'Hello',
      reason: 'stop',
      finished_at: '2026-03-01T12:00:01Z',
      usage: { prompt_tokens: 7, completion_tokens: 2 },
    },
    4,
  );
const MESSAGES = [{ role: 'user' as const, content: 'hi' }];

function chatServer(stream = STREAM) {
  return routedFetch({
    'POST /api/chat': json(201, JOB),
    'GET /api/chat/stream/job-1': sse(stream),
    'POST /api/chat/job-1/cancel': json(200, {
      jobId: 'job-1',
      status: 'cancelled',
      cancelled: true,
    }),
  });
}

async function collect(events: AsyncIterable<JobStreamEvent>): Promise<JobStreamEvent[]> {
  const seen: JobStreamEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('InfernetClient.chat', () => {
  it('iterates the typed events of the job it sent', async () => {
    const { fetch, sent } = chatServer();
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const events = await collect(client.chat({ messages: MESSAGES, model: 'demo' }));
    expect(events.map((event) => event.event)).toEqual(['job', 'meta', 'token', 'token', 'done']);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST http://control.test/api/chat',
      'GET http://control.test/api/chat/stream/job-1',
    ]);
    expect(sent[0]?.body).toEqual({ messages: MESSAGES, model: 'demo' });
    expect(sent[1]?.headers.get('authorization')).toBe('Bearer t0k');
  });

  it('gives the queued job when awaited, without reading the stream', async () => {
    const { fetch, sent } = chatServer();
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(client.chat({ messages: MESSAGES })).resolves.toEqual(JOB);
    expect(sent).toHaveLength(1);
  });

  it('with stream: false returns the text, usage and serving node', async () => {
    const { fetch, sent } = chatServer();
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const result = await client.chat({ messages: MESSAGES, stream: false });
    expect(result).toEqual({
      jobId: 'job-1',
      model: 'demo',
      text: 'Hello',
      finishReason: 'stop',
      usage: { promptTokens: 7, completionTokens: 2, totalTokens: 9 },
      meta: META,
    });
    // `stream` steers the SDK; it is not part of the wire request.
    expect(sent[0]?.body).toEqual({ messages: MESSAGES });
    await expect(client.complete({ messages: MESSAGES })).resolves.toEqual(result);
  });

  it('leaves usage undefined when the node reported none', async () => {
    const stream = frame('done', { text: 'x', finished_at: '2026-03-01T12:00:01Z' }, 1);
    const client = new InfernetClient({ baseUrl: 'http://control.test', ...chatServer(stream) });
    const result = await client.complete({ messages: MESSAGES });
    expect(result.usage).toBeUndefined();
    expect(result.meta).toBeUndefined();
  });

  it('turns an error event into JobFailedError for non-streaming callers', async () => {
    const stream =
      frame('token', { text: 'Hel' }, 1) +
      frame('error', { message: 'engine crashed', code: 'ENGINE_ERROR', delivered_tokens: 1 }, 2);
    const client = new InfernetClient({ baseUrl: 'http://control.test', ...chatServer(stream) });
    const failure = client.complete({ messages: MESSAGES });
    await expect(failure).rejects.toBeInstanceOf(JobFailedError);
    await expect(failure).rejects.toMatchObject({
      jobId: 'job-1',
      code: 'ENGINE_ERROR',
      message: 'engine crashed',
      deliveredTokens: 1,
    });
  });

  it('raises a refused submission where the stream is iterated', async () => {
    const { fetch } = routedFetch({
      'POST /api/chat': json(400, {
        error: { code: 'BAD_REQUEST', message: 'messages: required', requestId: 'r1' },
      }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const failure = collect(client.chat({ messages: [] }));
    await expect(failure).rejects.toBeInstanceOf(BadRequestError);
    await expect(failure).rejects.toMatchObject({ code: 'BAD_REQUEST', requestId: 'r1' });
  });

  it('cancels its job with the stream token', async () => {
    const { fetch, sent } = chatServer();
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const chat = client.chat({ messages: MESSAGES });
    await expect(chat.cancel()).resolves.toEqual({
      jobId: 'job-1',
      status: 'cancelled',
      cancelled: true,
    });
    expect(sent[1]?.url).toBe('http://control.test/api/chat/job-1/cancel');
    expect(sent[1]?.headers.get('authorization')).toBe('Bearer t0k');
  });
});

describe('InfernetClient with an API key', () => {
  it('sends the key on every request, but a stream token where one is known', async () => {
    const { fetch, sent } = chatServer();
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, apiKey: 'key-1' });
    await client.complete({ messages: MESSAGES });
    await client.cancel('job-1');
    await collect(client.streamJob({ jobId: 'job-1' }));
    expect(sent.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer key-1',
      'Bearer t0k',
      'Bearer key-1',
      'Bearer key-1',
    ]);
  });

  it('refuses a key that cannot be a header value', () => {
    expect(() => new InfernetClient({ baseUrl: 'http://control.test', apiKey: 'a b' })).toThrow(
      SdkError,
    );
  });

  it('raises a refused key as AuthenticationError', async () => {
    const { fetch } = routedFetch({
      'GET /v1/models': json(401, {
        error: {
          message: 'This API key is unknown or was revoked.',
          type: 'authentication_error',
          code: 'api_key_invalid',
          param: null,
        },
      }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch, apiKey: 'gone' });
    const failure = client.models();
    await expect(failure).rejects.toBeInstanceOf(AuthenticationError);
    // OpenAI's error shape carries our code in lower case; the SDK gives it back as ours.
    await expect(failure).rejects.toMatchObject({ code: 'API_KEY_INVALID', retryable: false });
  });
});

describe('InfernetClient reads', () => {
  it('lists models from /v1/models with their node counts', async () => {
    const { fetch, sent } = routedFetch({
      'GET /v1/models': json(200, {
        object: 'list',
        data: [{ id: 'qwen2.5:7b', object: 'model', created: 0, owned_by: 'infernet', nodes: 2 }],
      }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test/', fetch });
    await expect(client.models()).resolves.toEqual([{ name: 'qwen2.5:7b', nodes: 2 }]);
    expect(sent[0]?.url).toBe('http://control.test/v1/models');
  });

  it('names the served models when a model is unknown', async () => {
    const { fetch } = routedFetch({
      'POST /api/chat': json(404, {
        error: {
          code: 'MODEL_NOT_FOUND',
          message: 'No live node serves "nope".',
          requestId: 'r2',
          details: { served_models: ['llama3.2:1b'] },
        },
      }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const failure = client.complete({ messages: MESSAGES, model: 'nope' });
    await expect(failure).rejects.toBeInstanceOf(NotFoundError);
    await expect(failure).rejects.toMatchObject({ servedModels: ['llama3.2:1b'] });
  });

  it('reads the network overview, throughput included', async () => {
    const overview = {
      nodes_online: 2,
      nodes_total: 3,
      models: [{ name: 'qwen2.5:7b', nodes: 2 }],
      jobs: { queued: 1, running: 2, completed: 40, failed: 1 },
      vram_tiers: [{ tier: '24-48gb', gpus: 2 }],
      last_heartbeat_at: '2026-03-01T12:00:00Z',
      tokens_per_second: 12.5,
      throughput_window_seconds: 60,
    };
    const { fetch, sent } = routedFetch({ 'GET /api/overview': json(200, { data: overview }) });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(client.overview()).resolves.toEqual(overview);
    expect(sent[0]?.method).toBe('GET');
  });

  it('reads one provider by id, escaping the id into the path', async () => {
    const provider = {
      id: 'node/1',
      name: 'edge-01',
      status: 'available',
      online: true,
      gpus: [{ vendor: 'nvidia', vram_tier: '24-48gb', model: 'RTX 4090' }],
      gpu_count: 1,
      models: ['qwen2.5:7b'],
      last_seen: '2026-03-01T12:00:00Z',
      first_seen_at: '2026-02-01T12:00:00Z',
      jobs_completed: 12,
      jobs_completed_last_hour: 3,
      tokens_served_last_hour: 900,
    };
    const { fetch, sent } = routedFetch({
      'GET /api/providers/node%2F1': json(200, { data: provider }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(client.provider('node/1')).resolves.toEqual(provider);
    expect(sent[0]?.url).toBe('http://control.test/api/providers/node%2F1');
  });

  it('raises an unknown provider as NotFoundError', async () => {
    const { fetch } = routedFetch({
      'GET /api/providers/gone': json(404, {
        error: { code: 'NOT_FOUND', message: 'No such provider.', requestId: 'r3' },
      }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(client.provider('gone')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('rejects a provider answer that does not match the schema', async () => {
    const { fetch } = routedFetch({
      'GET /api/providers/odd': json(200, { data: { id: 'odd' } }),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(client.provider('odd')).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('InfernetClient.embeddings', () => {
  const vectors = (data: unknown[]) =>
    json(200, {
      object: 'list',
      data,
      model: 'nomic-embed-text',
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });

  it("sends OpenAI's body and returns the vectors in input order", async () => {
    const { fetch, sent } = routedFetch({
      'POST /v1/embeddings': vectors([
        { object: 'embedding', index: 1, embedding: [0.5, -2] },
        { object: 'embedding', index: 0, embedding: [0.25, 1] },
      ]),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const result = await client.embeddings({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(result).toEqual({
      model: 'nomic-embed-text',
      embeddings: [
        [0.25, 1],
        [0.5, -2],
      ],
      usage: { promptTokens: 5, totalTokens: 5 },
    });
    expect(sent[0]?.body).toEqual({
      model: 'nomic-embed-text',
      input: ['a', 'b'],
      encoding_format: 'base64',
    });
  });

  it('decodes base64 vectors as little-endian float32', async () => {
    const floats = new Float32Array([0.1, -3.5, 1e-8]);
    const bytes = new Uint8Array(floats.buffer);
    const base64 = btoa(String.fromCharCode(...bytes));
    const { fetch } = routedFetch({
      'POST /v1/embeddings': vectors([{ object: 'embedding', index: 0, embedding: base64 }]),
    });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    const result = await client.embeddings({ model: 'nomic-embed-text', input: 'a' });
    expect(result.embeddings).toEqual([Array.from(floats)]);
  });

  it.each([
    ['a missing vector', [{ object: 'embedding', index: 0, embedding: [1] }]],
    [
      'a repeated index',
      [
        { object: 'embedding', index: 0, embedding: [1] },
        { object: 'embedding', index: 0, embedding: [2] },
      ],
    ],
    [
      'a vector of strings',
      [
        { object: 'embedding', index: 0, embedding: ['1'] },
        { object: 'embedding', index: 1, embedding: [2] },
      ],
    ],
  ])('rejects an answer with %s', async (_name, data) => {
    const { fetch } = routedFetch({ 'POST /v1/embeddings': vectors(data) });
    const client = new InfernetClient({ baseUrl: 'http://control.test', fetch });
    await expect(
      client.embeddings({ model: 'nomic-embed-text', input: ['a', 'b'] }),
    ).rejects.toBeInstanceOf(InvalidResponseError);
  });
});
