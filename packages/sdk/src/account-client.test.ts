import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountClient, normaliseUserCode } from './account-client';
import { AuthenticationError, InvalidResponseError, NotFoundError, SdkError } from './errors';
import type { FetchFunction } from './http-transport';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

type Handler = (request: Received, response: ServerResponse) => void;

const USER = {
  id: 'user-1',
  email: 'ada@example.com',
  name: 'Ada',
  emailVerified: false,
  createdAt: '2026-03-01T12:00:00.000Z',
  updatedAt: '2026-03-01T12:00:00.000Z',
};
const SESSION_COOKIE = 'session=abc';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function send(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

/**
 * A stub control plane on a real socket: routes by `METHOD /path`, sets the
 * session cookie on sign-in and refuses signed-out calls as the server does.
 */
async function stubServer(routes: Record<string, Handler>) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://stub');
      const entry: Received = {
        method: request.method ?? 'GET',
        url: url.pathname + url.search,
        headers: request.headers,
        body: text === '' ? undefined : JSON.parse(text),
      };
      received.push(entry);
      const handler = routes[`${entry.method} ${url.pathname}`];
      if (!handler) return send(response, 404, { error: { code: 'NOT_FOUND', message: 'no' } });
      handler(entry, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

/** A fetch with a one-cookie jar, recording the `credentials` each call asked for. */
function cookieFetch() {
  let cookie: string | undefined;
  const credentials: (RequestCredentials | undefined)[] = [];
  const fetch: FetchFunction = async (input, init = {}) => {
    credentials.push(init.credentials);
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await globalThis.fetch(input, { ...init, headers });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    return response;
  };
  return { fetch, credentials };
}

const signedIn =
  (handler: Handler): Handler =>
  (request, response) => {
    if (request.headers.cookie !== SESSION_COOKIE) {
      return send(response, 401, {
        error: { code: 'UNAUTHENTICATED', message: 'Sign in first.', requestId: 'r1' },
      });
    }
    handler(request, response);
  };

const ok =
  (body: unknown, status = 200): Handler =>
  (_request, response) =>
    send(response, status, body);

describe('AccountClient sessions', () => {
  it('signs in, sends the session cookie with later calls, and asks for credentials every time', async () => {
    const { url, received } = await stubServer({
      'POST /api/auth/sign-in/email': (_request, response) =>
        send(
          response,
          200,
          { token: null, user: USER },
          { 'set-cookie': `${SESSION_COOKIE}; Path=/` },
        ),
      'GET /api/auth/get-session': signedIn(
        ok({
          session: { id: 's1', expiresAt: '2026-04-01T00:00:00.000Z', userId: 'user-1' },
          user: USER,
        }),
      ),
      'GET /api/me': signedIn(
        ok({ data: { id: 'user-1', email: USER.email, name: 'Ada', created_at: USER.createdAt } }),
      ),
    });
    const { fetch, credentials } = cookieFetch();
    const account = new AccountClient({ baseUrl: url, fetch });

    await expect(account.me()).rejects.toBeInstanceOf(AuthenticationError);
    const user = await account.signIn({ email: USER.email, password: 'correct horse' });
    expect(user.email).toBe(USER.email);
    expect(received.at(-1)?.body).toEqual({ email: USER.email, password: 'correct horse' });
    await expect(account.session()).resolves.toEqual({
      user: USER,
      expiresAt: '2026-04-01T00:00:00.000Z',
    });
    await expect(account.me()).resolves.toMatchObject({ id: 'user-1', email: USER.email });
    expect(credentials.every((value) => value === 'include')).toBe(true);
    expect(credentials).toHaveLength(4);
  });

  it('reads a signed-out session as null', async () => {
    const { url } = await stubServer({ 'GET /api/auth/get-session': ok(null) });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });
    await expect(account.session()).resolves.toBeNull();
  });

  it('turns a refused sign-up into a typed error carrying the server code', async () => {
    const { url } = await stubServer({
      'POST /api/auth/sign-up/email': ok(
        {
          error: {
            code: 'ACCOUNT_EXISTS',
            message: 'An account uses this email.',
            requestId: 'r2',
          },
        },
        409,
      ),
    });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch, maxRetries: 0 });
    const error = await account
      .signUp({ email: USER.email, password: 'long enough' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 409, code: 'ACCOUNT_EXISTS', requestId: 'r2' });
  });
});

describe('AccountClient keys and deploy tokens', () => {
  it('creates, lists and revokes API keys and deploy tokens with the routes and bodies of the contract', async () => {
    const token = {
      id: 'dt-1',
      label: 'gpu box',
      token: 'infd_' + 'a'.repeat(43),
      created_at: '2026-03-01T12:00:00.000Z',
      expires_at: '2026-03-02T12:00:00.000Z',
      status: 'active',
    };
    const listed = {
      ...token,
      token: undefined,
      revoked_at: null,
      last_used_at: null,
      nodes_linked: 0,
    };
    const key = {
      id: 'key-1',
      name: 'laptop',
      prefix: 'inf_abcd',
      created_at: '2026-03-01T12:00:00.000Z',
      last_used_at: null,
    };
    const { url, received } = await stubServer({
      'POST /api/keys': ok({ data: { ...key, key: 'inf_secret' } }, 201),
      'GET /api/keys': ok({ data: [key] }),
      'DELETE /api/keys/key-1': ok({ data: { id: 'key-1', revoked: true } }),
      'POST /api/deploy/tokens': ok({ data: token }, 201),
      'GET /api/deploy/tokens': ok({ data: [listed] }),
      'DELETE /api/deploy/tokens/dt-1': ok({ data: { id: 'dt-1', status: 'revoked' } }),
    });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });

    await expect(account.createApiKey('laptop')).resolves.toMatchObject({ key: 'inf_secret' });
    await expect(account.listApiKeys()).resolves.toEqual([key]);
    await account.revokeApiKey('key-1');
    await expect(account.createDeployToken({ label: 'gpu box' })).resolves.toEqual(token);
    await expect(account.listDeployTokens()).resolves.toMatchObject([
      { id: 'dt-1', nodes_linked: 0 },
    ]);
    await account.revokeDeployToken('dt-1');

    expect(received.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /api/keys',
      'GET /api/keys',
      'DELETE /api/keys/key-1',
      'POST /api/deploy/tokens',
      'GET /api/deploy/tokens',
      'DELETE /api/deploy/tokens/dt-1',
    ]);
    expect(received[0]?.body).toEqual({ name: 'laptop' });
    expect(received[3]?.body).toEqual({ label: 'gpu box' });
  });

  it('keeps an id inside its path segment', async () => {
    const { url, received } = await stubServer({});
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });
    await expect(account.revokeApiKey('../account')).rejects.toBeInstanceOf(NotFoundError);
    expect(received[0]?.url).toBe('/api/keys/..%2Faccount');
  });

  it('refuses an answer without the fields the dashboard relies on', async () => {
    const { url } = await stubServer({ 'GET /api/deploy/tokens': ok({ data: [{ id: 'dt-1' }] }) });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });
    await expect(account.listDeployTokens()).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('AccountClient device sign-in, nodes, jobs, RunPod and deletion', () => {
  it('approves a device code typed in any case, and reads nodes and jobs', async () => {
    const device = {
      user_code: 'ABCD-EFGH',
      node_id: 'node-1',
      node_name: 'rig',
      public_key: '02' + 'ab'.repeat(32),
      requested_at: '2026-03-01T12:00:00.000Z',
      expires_at: '2026-03-01T12:10:00.000Z',
      status: 'pending',
    };
    const { url, received } = await stubServer({
      'GET /api/device/ABCD-EFGH': ok({ data: device }),
      'POST /api/device/approve': ok({ data: { status: 'approved', node_id: 'node-1' } }),
      'GET /api/me/nodes': ok({
        data: [
          {
            id: 'node-1',
            name: 'rig',
            status: 'online',
            last_seen_at: '2026-03-01T12:00:00.000Z',
            listed: true,
            models: ['m'],
            gpus: [{ vendor: 'nvidia', vram_tier: '16-24gb' }],
            jobs_completed: 3,
            tokens_served: 40,
            earnings: { amount: '0', unit: 'credits' },
          },
        ],
      }),
      'GET /api/me/jobs': ok({ data: [] }),
    });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });

    await expect(account.deviceRequest('abcdefgh')).resolves.toEqual(device);
    await expect(account.approveDevice('abcd-efgh', true)).resolves.toEqual({
      status: 'approved',
      node_id: 'node-1',
    });
    await expect(account.myNodes()).resolves.toMatchObject([{ id: 'node-1', status: 'online' }]);
    await expect(account.myJobs({ limit: 20 })).resolves.toEqual([]);
    expect(received[1]?.body).toEqual({ user_code: 'ABCD-EFGH', approve: true });
    expect(received[3]?.url).toBe('/api/me/jobs?limit=20');
  });

  it('sends the RunPod key only as a header, and never retries a launch', async () => {
    const { url, received } = await stubServer({
      'GET /api/deploy/runpod/gpu-types': ok({
        data: [
          {
            id: 'NVIDIA A40',
            display_name: 'A40',
            memory_gb: 48,
            secure_price: 0.4,
            community_price: 0.35,
            available: true,
          },
        ],
      }),
      'POST /api/deploy/runpod/pods': ok(
        { error: { code: 'DEPLOY_PROVIDER_ERROR', message: 'RunPod: no capacity' } },
        502,
      ),
    });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });

    await expect(account.runpodGpuTypes('rp_key')).resolves.toHaveLength(1);
    const launch = account.launchRunpodPod('rp_key', { gpu_type_id: 'NVIDIA A40', model: 'm' });
    await expect(launch).rejects.toMatchObject({ status: 502, code: 'DEPLOY_PROVIDER_ERROR' });
    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(request.headers['x-runpod-api-key']).toBe('rp_key');
      expect(request.url).not.toContain('rp_key');
    }
    expect(JSON.stringify(received[1]?.body)).not.toContain('rp_key');
  });

  it('deletes the account with the confirmation word', async () => {
    const { url, received } = await stubServer({
      'DELETE /api/account': (request, response) =>
        (request.body as { confirm?: string }).confirm === 'DELETE'
          ? send(response, 200, { data: { deleted: true } })
          : send(response, 422, { error: { code: 'VALIDATION', message: 'confirm' } }),
    });
    const account = new AccountClient({ baseUrl: url, fetch: cookieFetch().fetch });
    await account.deleteAccount();
    expect(received[0]?.body).toEqual({ confirm: 'DELETE' });
  });

  it('refuses malformed device codes and a missing origin before sending anything', () => {
    expect(normaliseUserCode(' abcd efgh ')).toBe('ABCD-EFGH');
    expect(() => normaliseUserCode('ABC')).toThrow(SdkError);
    expect(() => new AccountClient()).toThrow(/baseUrl/);
  });

  it("defaults to the page's own origin, where the session cookie lives", () => {
    vi.stubGlobal('location', { origin: 'https://infernet.example' });
    try {
      expect(new AccountClient().baseUrl).toBe('https://infernet.example');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
