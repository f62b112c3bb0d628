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

const NOW = Date.parse('2026-03-01T12:00:00Z');
const { privateKey, publicKey } = generateKeyPair();
const noSleep = async () => {};

function client(fetch: FetchFunction, baseUrl = 'http://control.test') {
  return new NodeClient({ baseUrl, privateKey, fetch, now: () => NOW, sleep: noSleep });
}

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
    await expect(client(fetch).complete('job-1', { status: 'completed' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect(sent).toHaveLength(1);
  });

  it('retries a proxy 502 that carries no code, even for event posts', async () => {
    const proxyPage = () => new Response('<html>bad gateway</html>', { status: 502 });
    const { fetch, sent } = scriptedFetch(proxyPage, json(200, { data: { inserted: 1 } }));
    // 502 with an unknown code is retryable by status, so even a post is repeated.
    await expect(
      client(fetch).postEvents('job-1', [{ event_type: 'token', data: { text: 'hi' } }]),
    ).resolves.toEqual({ inserted: 1 });
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

  it('maps JOB_NOT_FOUND to NotFoundError and encodes the job id', async () => {
    const { fetch, sent } = scriptedFetch(apiError(404, 'JOB_NOT_FOUND'));
    await expect(
      client(fetch).postEvents('a/b', [{ event_type: 'token', data: { text: 'x' } }]),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(sent[0]?.url.pathname).toBe('/api/v1/node/jobs/a%2Fb/events');
  });

  it('reports a body that breaks the contract as InvalidResponseError', async () => {
    const { fetch } = scriptedFetch(json(200, { id: 'not wrapped' }));
    await expect(client(fetch).heartbeat()).rejects.toMatchObject({
      name: 'InvalidResponseError',
    });
  });
});

describe('NodeClient.poll', () => {
  it('sends limit and wait, and unwraps the claimed jobs', async () => {
    const job = {
      id: 'job-1',
      title: 'chat · demo',
      type: 'chat',
      status: 'assigned',
      payment_offer: 0,
      payment_coin: null,
      model_name: 'demo',
      input_spec: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0.5 },
      created_at: '2026-03-01T12:00:00Z',
    };
    const { fetch, sent } = scriptedFetch(json(200, { data: { provider_id: 'p1', jobs: [job] } }));
    const result = await client(fetch).poll({ limit: 2, wait: 25 });
    expect(result.jobs.map((claimed) => claimed.id)).toEqual(['job-1']);
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual({ limit: 2, wait: 25 });
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
