import { createServer, type RequestListener } from 'node:http';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, verifyRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME } from '@infernet/protocol';
import {
  BadRequestError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  TimeoutError,
  UserAbortError,
  isJobCancelledError,
  isJobGoneError,
  isLeaseLostError,
} from './errors';
import type { FetchFunction } from './http-transport';
import { NodeClient } from './node-client';

interface SentRequest {
  url: URL;
  method: string;
  headers: Headers;
  body: string;
}

type Responder = (request: SentRequest) => Response | Promise<Response>;

/** A fetch that records what it was sent and answers from a script, one responder per call. */
function scriptedFetch(...responders: Responder[]) {
  const sent: SentRequest[] = [];
  const fetch: FetchFunction = async (input, init = {}) => {
    const request: SentRequest = {
      url: new URL(String(input)),
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : '',
    };
    sent.push(request);
    const responder = responders[Math.min(sent.length - 1, responders.length - 1)];
    if (!responder) throw new Error('no responder');
    return responder(request);
  };
  return { fetch, sent };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

const apiError = (status: number, code: string, message = 'nope') =>
  json(status, { error: { code, message, requestId: 'req-9' } });

/** A real HTTP server on a free loopback port that counts the requests it got. */
async function listen(handler: RequestListener) {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const NOW = Date.parse('2026-03-01T12:00:00Z');
const { privateKey, publicKey } = generateKeyPair();
const noSleep = async () => {};

function client(fetch: FetchFunction, baseUrl = 'http://control.test') {
  return new NodeClient({ baseUrl, privateKey, fetch, now: () => NOW, sleep: noSleep });
}

const eventsBody = {
  events: [{ event_type: 'token' as const, data: { text: 'hi' } }],
  fencing_token: 4,
  batch: 2,
};

const claimedJob = {
  id: 'job-1',
  title: 'chat · demo',
  type: 'chat',
  status: 'assigned',
  payment_offer: 0,
  payment_coin: null,
  model_name: 'demo',
  input_spec: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0.5 },
  created_at: '2026-03-01T12:00:00Z',
  fencing_token: 7,
  lease_expires_at: '2026-03-01T12:00:30Z',
  attempt: 2,
};

describe('NodeClient signing', () => {
  it('signs the exact method, path and body bytes it sends', async () => {
    const { fetch, sent } = scriptedFetch(json(200, { data: { id: 'p1', node_id: 'node-1' } }));
    const result = await client(fetch, 'http://control.test/prefix/').register({
      node_id: 'node-1',
      name: 'tester',
    });
    expect(result).toEqual({ id: 'p1', node_id: 'node-1' });

    const [request] = sent;
    expect(request?.url.pathname).toBe('/prefix/api/v1/node/register');
    expect(request?.headers.get('content-type')).toBe('application/json');
    const verdict = await verifyRequest({
      header: request?.headers.get(AUTH_HEADER_NAME),
      request: { method: 'POST', path: '/prefix/api/v1/node/register', body: request?.body ?? '' },
      now: NOW / 1000,
    });
    expect(verdict).toMatchObject({ ok: true, publicKey });
    expect(JSON.parse(request?.body ?? '')).toEqual({ node_id: 'node-1', name: 'tester' });
  });

  it('signs every retry afresh with a new nonce', async () => {
    const { fetch, sent } = scriptedFetch(
      apiError(503, 'DATABASE_UNAVAILABLE'),
      apiError(503, 'DATABASE_UNAVAILABLE'),
      json(200, { data: { id: 'p1' } }),
    );
    await expect(client(fetch).heartbeat({ status: 'available' })).resolves.toEqual({ id: 'p1' });
    expect(sent).toHaveLength(3);
    const headers = sent.map((request) => request.headers.get(AUTH_HEADER_NAME));
    expect(new Set(headers).size).toBe(3);
    for (const request of sent) {
      const verdict = await verifyRequest({
        header: request.headers.get(AUTH_HEADER_NAME),
        request: { method: 'POST', path: request.url.pathname, body: request.body },
        now: NOW / 1000,
      });
      expect(verdict.ok).toBe(true);
    }
  });
});

describe('NodeClient retries and errors', () => {
  it('retries a 503 then succeeds', async () => {
    const { fetch, sent } = scriptedFetch(
      apiError(503, 'NO_CAPACITY'),
      json(200, { data: { row: null } }),
    );
    await expect(client(fetch).me()).resolves.toEqual({ row: null });
    expect(sent).toHaveLength(2);
  });

  it('does not retry a 400 and maps it to BadRequestError', async () => {
    const { fetch, sent } = scriptedFetch(apiError(400, 'BAD_REQUEST', 'limit: too big'));
    const failure = client(fetch).poll({ limit: 99, wait: 0 });
    await expect(failure).rejects.toBeInstanceOf(BadRequestError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'limit: too big',
      requestId: 'req-9',
      retryable: false,
    });
    expect(sent).toHaveLength(1);
  });

  it('gives up after maxRetries and reports the last error', async () => {
    const { fetch, sent } = scriptedFetch(apiError(503, 'NO_CAPACITY'));
    await expect(client(fetch).me()).rejects.toMatchObject({ status: 503, code: 'NO_CAPACITY' });
    expect(sent).toHaveLength(3);
  });

  it('does not retry a state conflict on complete', async () => {
    const { fetch, sent } = scriptedFetch(apiError(409, 'JOB_STATE_CONFLICT'));
    await expect(
      client(fetch).complete('job-1', { status: 'completed', fencing_token: 3 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(sent).toHaveLength(1);
  });

  it('retries a proxy 502 that carries no code, even for event posts', async () => {
    const proxyPage = () => new Response('<html>bad gateway</html>', { status: 502 });
    const { fetch, sent } = scriptedFetch(proxyPage, json(200, { data: { inserted: 1 } }));
    // 502 with an unknown code is retryable by status, so even a post is repeated.
    await expect(client(fetch).postEvents('job-1', eventsBody)).resolves.toEqual({ inserted: 1 });
    expect(sent).toHaveLength(2);
  });

  it('turns a refused connection into ConnectionError after retrying', async () => {
    let calls = 0;
    const fetch: FetchFunction = async () => {
      calls += 1;
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    };
    const failure = client(fetch).me();
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(3);
  });

  it('refuses to follow a redirect, so its signed header goes nowhere else', async () => {
    const elsewhere = await listen((_request, response) => response.end('{}'));
    const control = await listen((_request, response) => {
      response.writeHead(307, { location: `${elsewhere.url}/api/v1/node/heartbeat` }).end();
    });
    try {
      const node = new NodeClient({
        baseUrl: control.url,
        privateKey,
        maxRetries: 0,
        sleep: noSleep,
      });
      await expect(node.heartbeat()).rejects.toBeInstanceOf(ConnectionError);
      expect(control.requests).toBe(1);
      expect(elsewhere.requests).toBe(0);
    } finally {
      await Promise.all([control.close(), elsewhere.close()]);
    }
  });

  it('maps JOB_NOT_FOUND to NotFoundError and encodes the job id', async () => {
    const { fetch, sent } = scriptedFetch(apiError(404, 'JOB_NOT_FOUND'));
    await expect(client(fetch).postEvents('a/b', eventsBody)).rejects.toBeInstanceOf(NotFoundError);
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/jobs/a%2Fb/events');
  });

  it('reports a body that breaks the contract as InvalidResponseError', async () => {
    const { fetch } = scriptedFetch(json(200, { id: 'not wrapped' }));
    await expect(client(fetch).heartbeat()).rejects.toMatchObject({
      name: 'InvalidResponseError',
    });
  });
});

describe('NodeClient.postEventBatches', () => {
  const batch = (jobId: string) => ({
    job_id: jobId,
    lease_token: `lease-${jobId}`,
    fencing_token: 2,
    batch: 1,
    events: [{ event_type: 'token' as const, data: { text: 'hi' } }],
  });

  it('posts every job’s batch unsigned and gives each job its own outcome', async () => {
    const { fetch, sent } = scriptedFetch(
      json(200, {
        data: {
          results: [
            { job_id: 'job-1', inserted: 1 },
            { job_id: 'job-2', error: { code: 'LEASE_LOST', message: 'gone' } },
          ],
        },
      }),
    );
    const outcomes = await client(fetch).postEventBatches([batch('job-1'), batch('job-2')]);
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/events');
    expect(sent[0]?.headers.has(AUTH_HEADER_NAME)).toBe(false);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ batches: [batch('job-1'), batch('job-2')] });
    expect(outcomes[0]).toEqual({ jobId: 'job-1', ok: true, inserted: 1 });
    const refused = outcomes[1];
    expect(refused?.ok).toBe(false);
    const error = refused && !refused.ok ? refused.error : undefined;
    expect(error).toBeInstanceOf(ConflictError);
    expect(isLeaseLostError(error)).toBe(true);
  });

  it('refuses an answer about other jobs than were sent', async () => {
    const { fetch } = scriptedFetch(
      json(200, { data: { results: [{ job_id: 'job-9', inserted: 1 }] } }),
    );
    await expect(client(fetch).postEventBatches([batch('job-1')])).rejects.toMatchObject({
      name: 'InvalidResponseError',
    });
  });
});

describe('NodeClient.poll', () => {
  it('sends limit, wait and active, and unwraps the claimed jobs and the ones to cancel', async () => {
    const { fetch, sent } = scriptedFetch(
      json(200, { data: { provider_id: 'p1', jobs: [claimedJob], cancel: ['job-0'] } }),
    );
    const result = await client(fetch).poll({ limit: 2, wait: 25, active: ['job-0', 'job-9'] });
    expect(result).toEqual({ provider_id: 'p1', jobs: [claimedJob], cancel: ['job-0'] });
    expect(result.jobs[0]).toMatchObject({ fencing_token: 7, attempt: 2 });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      limit: 2,
      wait: 25,
      active: ['job-0', 'job-9'],
    });
  });

  it('sends an empty active list when none is given, and reads a missing cancel as none', async () => {
    const { fetch, sent } = scriptedFetch(json(200, { data: { provider_id: 'p1', jobs: [] } }));
    await expect(client(fetch).poll({ limit: 1, wait: 0 })).resolves.toEqual({
      provider_id: 'p1',
      jobs: [],
      cancel: [],
    });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ limit: 1, wait: 0, active: [] });
  });

  it('lets the long poll outlast the default timeout', async () => {
    const slowFetch: FetchFunction = (_input, init) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => resolve(json(200, { data: { provider_id: 'p1', jobs: [] } })()),
          150,
        );
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal?.reason);
        });
      });
    const node = new NodeClient({
      baseUrl: 'http://control.test',
      privateKey,
      fetch: slowFetch,
      timeoutMs: 50,
      maxRetries: 0,
    });
    await expect(node.me()).rejects.toBeInstanceOf(TimeoutError);
    await expect(node.poll({ limit: 1, wait: 1 })).resolves.toEqual({
      provider_id: 'p1',
      jobs: [],
      cancel: [],
    });
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const hangingFetch: FetchFunction = (_input, init) =>
      new Promise((_resolve, reject) => {
        calls += 1;
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    const pending = client(hangingFetch).poll({ limit: 1, wait: 25, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    expect(calls).toBe(1);
  });
});

describe('NodeClient job calls', () => {
  it('posts events with the fencing token and batch number', async () => {
    const { fetch, sent } = scriptedFetch(json(200, { data: { inserted: 1 } }));
    await client(fetch).postEvents('job-1', eventsBody);
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/jobs/job-1/events');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual(eventsBody);
  });

  it('re-sends the same batch, signed afresh, after a lost answer', async () => {
    let calls = 0;
    const sent: { body: string; header: string | null }[] = [];
    const fetch: FetchFunction = async (_input, init = {}) => {
      calls += 1;
      sent.push({
        body: String(init.body),
        header: new Headers(init.headers).get(AUTH_HEADER_NAME),
      });
      if (calls === 1) throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      return json(200, { data: { inserted: 0 } })();
    };
    await expect(client(fetch).postEvents('job-1', eventsBody)).resolves.toEqual({ inserted: 0 });
    expect(sent).toHaveLength(2);
    expect(sent[1]?.body).toBe(sent[0]?.body);
    expect(JSON.parse(sent[1]?.body ?? '')).toMatchObject({ batch: 2, fencing_token: 4 });
    expect(sent[1]?.header).not.toBe(sent[0]?.header);
    for (const request of sent) {
      const verdict = await verifyRequest({
        header: request.header,
        request: { method: 'POST', path: '/api/v1/node/jobs/job-1/events', body: request.body },
        now: NOW / 1000,
      });
      expect(verdict.ok).toBe(true);
    }
  });

  it('completes with the fencing token', async () => {
    const { fetch, sent } = scriptedFetch(
      json(200, { data: { id: 'job-1', status: 'completed' } }),
    );
    await expect(
      client(fetch).complete('job-1', {
        status: 'completed',
        fencing_token: 4,
        result: { text: 'hi', reason: 'stop' },
      }),
    ).resolves.toEqual({ id: 'job-1', status: 'completed' });
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/jobs/job-1/complete');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      status: 'completed',
      fencing_token: 4,
      result: { text: 'hi', reason: 'stop' },
    });
  });

  it('releases a job with its fencing token and reason', async () => {
    const { fetch, sent } = scriptedFetch(json(200, { data: { id: 'job-1', status: 'queued' } }));
    await expect(
      client(fetch).release('job-1', { fencing_token: 4, reason: 'node shutting down' }),
    ).resolves.toEqual({ id: 'job-1', status: 'queued' });
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/jobs/job-1/release');
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({
      fencing_token: 4,
      reason: 'node shutting down',
    });
  });

  it.each([
    ['LEASE_LOST', 'events'],
    ['JOB_CANCELLED', 'events'],
    ['LEASE_LOST', 'complete'],
    ['JOB_STATE_CONFLICT', 'release'],
  ] as const)('reports %s on %s once, as a job-gone error', async (code, call) => {
    const { fetch, sent } = scriptedFetch(apiError(409, code));
    const node = client(fetch);
    const failure =
      call === 'events'
        ? node.postEvents('job-1', eventsBody)
        : call === 'complete'
          ? node.complete('job-1', { status: 'completed', fencing_token: 4 })
          : node.release('job-1', { fencing_token: 4 });
    const error: unknown = await failure.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConflictError);
    expect(isJobGoneError(error)).toBe(true);
    expect(isLeaseLostError(error)).toBe(code === 'LEASE_LOST');
    expect(isJobCancelledError(error)).toBe(code === 'JOB_CANCELLED');
    expect(sent).toHaveLength(1);
  });
});

describe('NodeClient construction', () => {
  it('refuses a malformed private key before sending anything', () => {
    expect(() => new NodeClient({ baseUrl: 'http://control.test', privateKey: 'nope' })).toThrow(
      /private key/,
    );
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => new NodeClient({ baseUrl: 'ftp://x', privateKey })).toThrow(/http\(s\) URL/);
  });
});
