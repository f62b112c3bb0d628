import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { APIError, NotFoundError } from 'openai';
import { generateKeyPair } from '@infernet/auth';
import { createTestApp, registerNode, signedPost, type TestApp } from '../testing';

let server: TestApp;
let client: OpenAI;
const node = generateKeyPair();
const messages = [{ role: 'user' as const, content: 'hi' }];

beforeEach(async () => {
  server = await createTestApp({ keepAliveMs: 50 });
  client = new OpenAI({
    baseURL: 'http://infernet.test/v1',
    apiKey: 'unused',
    maxRetries: 0,
    fetch: async (url, init) => server.app.request(String(url), init),
  });
  await registerNode(server.app, node, { nodeId: 'gpu-node', models: ['m'] });
});
afterEach(async () => {
  await server.close();
});

/** Claims the queued job and posts its `meta` event, as a node does first. */
async function claimAndStart() {
  const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 5 });
  const body = (await poll.json()) as { data: { jobs: { id: string; fencing_token: number }[] } };
  const job = body.data.jobs[0]!;
  await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/events`, {
    events: [{ event_type: 'meta', data: { engine: 'stub-engine' } }],
    fencing_token: job.fencing_token,
    batch: 1,
  });
  return job;
}

/** Plays the node: claims the queued job, streams meta and tokens, then completes it. */
async function serveOneJob(
  tokens: string[],
  usage: { prompt_tokens: number; completion_tokens: number } | null = {
    prompt_tokens: 5,
    completion_tokens: tokens.length,
  },
) {
  const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 5 });
  const { jobs } = (
    (await poll.json()) as { data: { jobs: { id: string; fencing_token: number }[] } }
  ).data;
  const job = jobs[0]!;
  const post = (events: { event_type: string; data: object }[], batch: number) =>
    signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/events`, {
      events,
      fencing_token: job.fencing_token,
      batch,
    });
  await post([{ event_type: 'meta', data: { engine: 'stub-engine', model: 'm' } }], 1);
  await post(
    tokens.map((text) => ({ event_type: 'token', data: { text } })),
    2,
  );
  const completed = await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/complete`, {
    status: 'completed',
    result: { text: tokens.join(''), reason: 'stop', ...(usage ? { usage } : {}) },
    fencing_token: job.fencing_token,
  });
  expect(completed.status).toBe(200);
  return job.id;
}

describe('POST /v1/chat/completions', () => {
  it('answers one chat.completion with the text and usage the node reported', async () => {
    const pending = client.chat.completions.create({ model: 'm', messages }).withResponse();
    const jobId = await serveOneJob(['Hel', 'lo', '!'], { prompt_tokens: 7, completion_tokens: 3 });
    const { data, response } = await pending;
    expect(data.object).toBe('chat.completion');
    expect(data.id).toBe(`chatcmpl-${jobId}`);
    expect(data.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello!' });
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(response.headers.get('x-infernet-provider')).toBe('gpu-node');
    expect(response.headers.get('x-infernet-engine')).toBe('stub-engine');
    expect(response.headers.get('x-infernet-model')).toBe('m');
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams chunks in token order, then finish_reason, usage and [DONE]', async () => {
    const pending = client.chat.completions
      .create({ model: 'm', messages, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    await serveOneJob(['One', ' two', ' three'], { prompt_tokens: 4, completion_tokens: 3 });
    const { data: stream, response } = await pending;
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('x-infernet-provider')).toBe('gpu-node');
    expect(response.headers.get('x-infernet-engine')).toBe('stub-engine');
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('One two three');
    const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishing.map((chunk) => chunk.choices[0]!.finish_reason)).toEqual(['stop']);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
  });

  it('sends no usage chunk when the node reported no usage', async () => {
    const pending = client.chat.completions.create({
      model: 'm',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    await serveOneJob(['a', 'b'], null);
    const chunks = [];
    for await (const chunk of await pending) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('ends a stream with an error frame when the node fails the job', async () => {
    const pending = client.chat.completions.create({ model: 'm', messages, stream: true });
    const job = await claimAndStart();
    await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/complete`, {
      status: 'failed',
      error: 'engine crashed',
      fencing_token: job.fencing_token,
    });
    const consume = async () => {
      for await (const chunk of await pending) void chunk;
    };
    const error = await consume().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('engine crashed');
  });

  it('stops following when the client disconnects, so the abandoned job can be cancelled', async () => {
    // Records every reader-count change the server has finished making.
    const readerChanges: [string, number][] = [];
    const jobs = server.dependencies.db.jobs;
    const trackReader = jobs.trackReader.bind(jobs);
    jobs.trackReader = async (jobId, change) => {
      await trackReader(jobId, change);
      readerChanges.push([jobId, change]);
    };
    const pending = client.chat.completions.create({ model: 'm', messages, stream: true });
    const job = await claimAndStart();
    const stream = await pending;
    // While the client reads, the job counts a reader and is not abandoned.
    expect((await server.db.jobs.cancelAbandoned({ graceSeconds: 0 })).count).toBe(0);
    for await (const chunk of stream) {
      expect(chunk.choices[0]!.delta.role).toBe('assistant');
      break;
    }
    // Wait until the server has noticed the disconnect and counted its reader out.
    const deadline = Date.now() + 5_000;
    while (!readerChanges.some(([jobId, change]) => jobId === job.id && change === -1)) {
      if (Date.now() > deadline) throw new Error('the reader was never counted out');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Counted in by its first read (listAfter's countReader), counted out on leaving.
    expect(readerChanges).toEqual([[job.id, -1]]);
    // A negative grace puts the cut-off after the departure, so no clock has to move.
    const { jobIds } = await server.db.jobs.cancelAbandoned({ graceSeconds: -60 });
    expect(jobIds).toEqual([job.id]);
  });

  it('answers an unserved model with NotFoundError listing the served models', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-9', messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    const notFound = error as NotFoundError;
    expect(notFound.code).toBe('model_not_found');
    expect(notFound.param).toBe('model');
    expect(notFound.message).toContain('Served models: m.');
  });

  it('hands top_p, stop and seed to the node with the job, and refuses values out of range', async () => {
    const pending = client.chat.completions.create({
      model: 'm',
      messages,
      top_p: 0.5,
      stop: 'END',
      seed: 42,
    });
    const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 5 });
    const { jobs } = ((await poll.json()) as { data: { jobs: { input_spec: object }[] } }).data;
    expect(jobs[0]!.input_spec).toMatchObject({ top_p: 0.5, stop: ['END'], seed: 42 });
    await server.db.jobs.cancel((jobs[0] as unknown as { id: string }).id, 'test over');
    await pending.catch(() => undefined);

    const tooHigh = await client.chat.completions
      .create({ model: 'm', messages, top_p: 1.5 })
      .catch((caught: unknown) => caught);
    expect(tooHigh).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooHigh as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('top_p');
  });

  it.each([
    ['n', { n: 2 }],
    ['tools', { tools: [{ type: 'function', function: { name: 'f' } }] }],
  ])('refuses %s with a 400 that names it', async (parameter, extra) => {
    const error = await client.chat.completions
      .create({ model: 'm', messages, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const badRequest = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(badRequest.status).toBe(400);
    expect(badRequest.param).toBe(parameter);
    expect(badRequest.message).toContain(parameter);
    expect(badRequest.message).toMatch(/not supported yet/);
  });

  it('refuses content parts, which only string content can stand in for yet', async () => {
    const response = await server.app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'bad_request' });
    expect(String(body.error['message'])).toMatch(/string content/);
  });
});

describe('GET /v1/models', () => {
  it('lists the models live nodes serve, with node counts', async () => {
    const page = await client.models.list();
    expect(page.data).toEqual([
      { id: 'm', object: 'model', created: 0, owned_by: 'infernet', nodes: 1 },
    ]);
  });

  it('answers unknown /v1 routes in OpenAI error shape, leaving /api as it was', async () => {
    const missing = await server.app.request('/v1/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        code: 'not_found',
        param: null,
      },
    });
    const legacy = (await (await server.app.request('/api/nope')).json()) as {
      error: { code: string; requestId: string };
    };
    expect(legacy.error.code).toBe('NOT_FOUND');
    expect(legacy.error.requestId).toBeTruthy();
  });
});
