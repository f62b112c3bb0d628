import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import OpenAI, { InternalServerError, NotFoundError } from 'openai';
import { generateKeyPair } from '@infernet/auth';
import { countEmbeddingTokens, fakeEmbedding, toFloat32Base64 } from '@infernet/testkit';
import { createApiKey, signUp } from '../accounts/account-testing';
import { createTestApp, registerNode, signedPost, type TestApp } from '../testing';

let server: TestApp;
const node = generateKeyPair();

function clientWith(apiKey = 'unused'): OpenAI {
  return new OpenAI({
    baseURL: 'http://infernet.test/v1',
    apiKey,
    maxRetries: 0,
    fetch: async (url, init) => server.app.request(String(url), init),
  });
}

beforeEach(async () => {
  server = await createTestApp({
    keepAliveMs: 50,
    modelAliases: { 'text-embedding-3-small': 'm' },
  });
  await registerNode(server.app, node, { nodeId: 'gpu-node', models: ['m'] });
});
afterEach(async () => {
  await server.close();
});

interface ClaimedJob {
  id: string;
  type: string;
  model_name: string;
  input_spec: { input: string[] };
  fencing_token: number;
}

/**
 * Plays the node: claims the queued job, posts its `meta` event and
 * completes it with `result` (by default the fake's vectors and token count).
 */
async function serveOneJob(
  result: (job: ClaimedJob) => object = (job) => ({
    status: 'completed',
    result: {
      embeddings: job.input_spec.input.map((text) => toFloat32Base64(fakeEmbedding(text))),
      usage: { prompt_tokens: countEmbeddingTokens(job.input_spec.input), completion_tokens: 0 },
    },
  }),
): Promise<{ job: ClaimedJob; completed: Response }> {
  const poll = await signedPost(server.app, node, '/api/v1/node/jobs/poll', { wait: 5 });
  const job = ((await poll.json()) as { data: { jobs: ClaimedJob[] } }).data.jobs[0]!;
  await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/events`, {
    events: [{ event_type: 'meta', data: { provider_node_id: 'gpu-node', engine: 'ollama' } }],
    fencing_token: job.fencing_token,
    batch: 1,
  });
  const completed = await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/complete`, {
    ...result(job),
    fencing_token: job.fencing_token,
  });
  return { job, completed };
}

const post = (body: unknown) =>
  server.app.request('/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/embeddings', () => {
  it('answers the node’s vectors in order, with its token count and the provider headers', async () => {
    const pending = clientWith()
      .embeddings.create({ model: 'm', input: ['a', 'b'] })
      .withResponse();
    const { job } = await serveOneJob();
    expect(job).toMatchObject({
      type: 'embedding',
      model_name: 'm',
      input_spec: { input: ['a', 'b'] },
    });
    const { data, response } = await pending;
    expect(data).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: fakeEmbedding('a') },
        { object: 'embedding', index: 1, embedding: fakeEmbedding('b') },
      ],
      model: 'm',
      usage: { prompt_tokens: countEmbeddingTokens(['a', 'b']), total_tokens: 6 },
    });
    expect(response.headers.get('x-infernet-provider')).toBe('gpu-node');
    expect(response.headers.get('x-infernet-engine')).toBe('ollama');
    expect(response.headers.get('x-infernet-model')).toBe('m');
    expect(response.headers.get('x-infernet-fallback')).toBe('none');
    const stored = await server.db.jobs.findById(job.id);
    expect(stored).toMatchObject({ type: 'embedding', status: 'completed', ownerAccountId: null });
  });

  it('answers numbers for encoding_format float (the default) and base64 as the node sent it', async () => {
    const floats = post({ model: 'm', input: 'one text' });
    await serveOneJob();
    expect(await (await floats).json()).toMatchObject({
      data: [{ index: 0, embedding: fakeEmbedding('one text') }],
    });
    const base64 = post({ model: 'm', input: ['x'], encoding_format: 'base64' });
    await serveOneJob();
    expect(await (await base64).json()).toMatchObject({
      data: [{ index: 0, embedding: toFloat32Base64(fakeEmbedding('x')) }],
    });
  });

  it('resolves an alias to the served model and records the API key’s account as owner', async () => {
    const { cookie, accountId } = await signUp(server.app, 'embed@example.com');
    const { key } = await createApiKey(server.app, cookie);
    const pending = clientWith(key).embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
    });
    const { job } = await serveOneJob();
    expect(job.model_name).toBe('m');
    expect((await pending).model).toBe('m');
    expect(await server.db.jobs.findById(job.id)).toMatchObject({ ownerAccountId: accountId });
  });

  it('answers an unserved model with 404 listing the served models, queuing nothing', async () => {
    const error = await clientWith()
      .embeddings.create({ model: 'nomic-embed-text', input: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
    expect((error as NotFoundError).message).toContain('Served models: m.');
    expect((await server.db.jobs.counts()).queued).toBe(0);
  });

  it.each([
    ['input', { model: 'm', input: [] }, /at least one text/],
    ['input', { model: 'm', input: '' }, /empty string/],
    ['input', { model: 'm', input: [[1, 2, 3]] }, /token arrays are not supported/],
    ['input', { model: 'm', input: Array.from({ length: 2049 }, () => 'x') }, /at most 2048/],
    ['dimensions', { model: 'm', input: 'x', dimensions: 256 }, /dimensions.*not supported/],
    ['encoding_format', { model: 'm', input: 'x', encoding_format: 'int8' }, /./],
    ['model', { input: 'x' }, /./],
  ])('refuses a bad %s with OpenAI’s 400', async (parameter, body, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'bad_request' });
    expect(String(error['param'])).toMatch(new RegExp(`^${parameter}`));
    expect(String(error['message'])).toMatch(message);
    expect((await server.db.jobs.counts()).queued).toBe(0);
  });

  it('answers a job the node failed with a 502 carrying its message', async () => {
    const pending = clientWith()
      .embeddings.create({ model: 'm', input: 'x' })
      .catch((caught: unknown) => caught);
    await serveOneJob(() => ({ status: 'failed', error: 'model is not an embedding model' }));
    const error = await pending;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: 'engine_error' });
    expect((error as InternalServerError).message).toContain('not an embedding model');
  });

  it('refuses an answer with fewer vectors than texts rather than mispair them', async () => {
    const pending = post({ model: 'm', input: ['a', 'b'] });
    await serveOneJob(() => ({
      status: 'completed',
      result: { embeddings: [toFloat32Base64(fakeEmbedding('a'))] },
    }));
    const response = await pending;
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'engine_error' } });
  });

  it('answers usage null, not zeros, when the node reported no count', async () => {
    const pending = post({ model: 'm', input: 'x' });
    await serveOneJob(() => ({
      status: 'completed',
      result: { embeddings: [toFloat32Base64(fakeEmbedding('x'))] },
    }));
    expect(await (await pending).json()).toMatchObject({ usage: null });
  });

  it('takes a node’s completion over the default body limit, and only the completion', async () => {
    const texts = Array.from({ length: 1024 }, (_, index) => `text ${index}`);
    const wide = (text: string) => toFloat32Base64(fakeEmbedding(text, 512));
    const pending = post({ model: 'm', input: texts, encoding_format: 'base64' });
    const { completed, job } = await serveOneJob((claimed) => ({
      status: 'completed',
      result: { embeddings: claimed.input_spec.input.map(wide) },
    }));
    expect(completed.status).toBe(200);
    const response = await pending;
    const body = (await response.json()) as { data: { embedding: string }[] };
    expect(body.data).toHaveLength(1024);
    expect(body.data[1023]!.embedding).toBe(wide('text 1023'));
    // Other node routes keep the default limit.
    const events = await signedPost(server.app, node, `/api/v1/node/jobs/${job.id}/events`, {
      events: [{ event_type: 'meta', data: { padding: 'x'.repeat(1024 * 1024) } }],
      fencing_token: job.fencing_token,
      batch: 2,
    });
    expect(events.status).toBe(413);
  });
});
