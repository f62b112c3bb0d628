import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { generateKeyPair } from '@infernet/auth';
import { openTestDatabase } from '@infernet/db';
import type { CreatedDeployToken } from '@infernet/protocol';
import { createApp } from '../app';
import { wireDependencies } from '../dependencies';
import { registerNode } from '../testing';
import { bearer, createApiKey, errorOf, signUp } from './account-testing';
import { shellQuote } from './cloud-init-script';
import { createDeployToken, signedPostWith, useClockedTestApp } from './deploy-testing';

const runFile = promisify(execFile);
const DAY = 24 * 3_600_000;

const testApp = useClockedTestApp();
const node = generateKeyPair();

function cloudInit(token: string | undefined, query = '?model=qwen2.5:7b') {
  return testApp.server.app.request(`/api/deploy/cloud-init${query}`, {
    headers: token ? bearer(token) : {},
  });
}

function link(key = node, headers: Record<string, string> = {}) {
  return signedPostWith(
    testApp.server.app,
    key,
    '/api/nodes/link',
    {},
    { headers, nowMs: testApp.clock },
  );
}

async function listTokens(cookie: string) {
  const response = await testApp.server.app.request('/api/deploy/tokens', { headers: { cookie } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Record<string, unknown>[] }).data;
}

describe('deploy tokens', () => {
  it('creates a token shown once, lists it without the token and revokes it', async () => {
    const { cookie } = await signUp(testApp.server.app, 'deployer@example.com');
    const created = await testApp.server.app.request('/api/deploy/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ label: 'hetzner' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const token = ((await created.json()) as { data: CreatedDeployToken }).data;
    expect(token).toEqual({
      id: expect.any(String),
      label: 'hetzner',
      token: expect.stringMatching(/^infd_[A-Za-z0-9_-]{43}$/),
      created_at: new Date(testApp.clock).toISOString(),
      expires_at: new Date(testApp.clock + DAY).toISOString(),
      status: 'active',
    });

    const listed = await listTokens(cookie);
    expect(listed).toEqual([
      {
        id: token.id,
        label: 'hetzner',
        created_at: token.created_at,
        expires_at: token.expires_at,
        revoked_at: null,
        last_used_at: null,
        nodes_linked: 0,
        status: 'active',
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(token.token);

    expect((await cloudInit(token.token)).status).toBe(200);
    expect((await listTokens(cookie))[0]?.last_used_at).toBe(new Date(testApp.clock).toISOString());

    const revoked = await testApp.server.app.request(`/api/deploy/tokens/${token.id}`, {
      method: 'DELETE',
      headers: { cookie },
    });
    expect(await revoked.json()).toEqual({ data: { id: token.id, status: 'revoked' } });
    expect(await listTokens(cookie)).toMatchObject([{ id: token.id, status: 'revoked' }]);
    expect(await errorOf(await cloudInit(token.token))).toEqual([401, 'DEPLOY_TOKEN_INVALID']);
    await registerNode(testApp.server.app, node, { nodeId: 'n1', models: ['m'] });
    expect(await errorOf(await link(node, bearer(token.token)))).toEqual([
      401,
      'DEPLOY_TOKEN_INVALID',
    ]);
  });

  it('labels a token "deploy" by default and refuses a label over 64 characters', async () => {
    const { cookie } = await signUp(testApp.server.app, 'labels@example.com');
    await createDeployToken(testApp.server.app, cookie);
    expect(await listTokens(cookie)).toMatchObject([{ label: 'deploy' }]);
    const long = await testApp.server.app.request('/api/deploy/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ label: 'x'.repeat(65) }),
    });
    expect(await errorOf(long)).toEqual([400, 'BAD_REQUEST']);
  });

  it('refuses a token once it expired, and lists it as expired', async () => {
    const { cookie } = await signUp(testApp.server.app, 'expiry@example.com');
    await registerNode(testApp.server.app, node, { nodeId: 'n1', models: ['m'] });
    const { token } = await createDeployToken(testApp.server.app, cookie);
    testApp.clock += DAY - 1000;
    expect((await cloudInit(token)).status).toBe(200);
    testApp.clock += 1000;
    expect(await errorOf(await cloudInit(token))).toEqual([401, 'DEPLOY_TOKEN_INVALID']);
    expect(await errorOf(await link(node, bearer(token)))).toEqual([401, 'DEPLOY_TOKEN_INVALID']);
    expect(await listTokens(cookie)).toMatchObject([{ status: 'expired', revoked_at: null }]);
  });

  it("keeps each account's tokens to itself: another account gets 404", async () => {
    const owner = await signUp(testApp.server.app, 'owner@example.com');
    const stranger = await signUp(testApp.server.app, 'stranger@example.com');
    const { id, token } = await createDeployToken(testApp.server.app, owner.cookie);
    expect(await listTokens(stranger.cookie)).toEqual([]);
    const foreign = await testApp.server.app.request(`/api/deploy/tokens/${id}`, {
      method: 'DELETE',
      headers: { cookie: stranger.cookie },
    });
    expect(await errorOf(foreign)).toEqual([404, 'NOT_FOUND']);
    const malformed = await testApp.server.app.request('/api/deploy/tokens/not-an-id', {
      method: 'DELETE',
      headers: { cookie: owner.cookie },
    });
    expect(await errorOf(malformed)).toEqual([404, 'NOT_FOUND']);
    expect((await cloudInit(token)).status).toBe(200);
  });

  it('lets a deploy token do nothing but fetch cloud-init and link nodes', async () => {
    await registerNode(testApp.server.app, node, { nodeId: 'n1', models: ['m'] });
    const { cookie } = await signUp(testApp.server.app, 'narrow@example.com');
    const { token } = await createDeployToken(testApp.server.app, cookie);
    const post = (path: string, body: unknown) =>
      testApp.server.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify(body),
      });

    expect(await errorOf(await post('/api/deploy/tokens', {}))).toEqual([401, 'AUTH_MISSING']);
    const list = await testApp.server.app.request('/api/deploy/tokens', { headers: bearer(token) });
    expect(await errorOf(list)).toEqual([401, 'AUTH_MISSING']);
    expect(await errorOf(await post('/api/keys', { name: 'x' }))).toEqual([401, 'AUTH_MISSING']);
    const chat = await post('/api/chat', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(await errorOf(chat)).toEqual([401, 'API_KEY_INVALID']);
    const openAi = await post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(openAi.status).toBe(401);
    expect(await openAi.json()).toMatchObject({ error: { code: 'api_key_invalid' } });
    // Without the node's signature the token links nothing.
    expect(await errorOf(await post('/api/nodes/link', {}))).toEqual([401, 'AUTH_MISSING']);
  });

  it('answers a missing, unknown or wrong kind of token on cloud-init with 401', async () => {
    const { cookie } = await signUp(testApp.server.app, 'wrong@example.com');
    const { key } = await createApiKey(testApp.server.app, cookie);
    expect(await errorOf(await cloudInit(undefined))).toEqual([401, 'AUTH_MISSING']);
    expect(await errorOf(await cloudInit(key))).toEqual([401, 'AUTH_MISSING']);
    const unknown = `infd_${'A'.repeat(43)}`;
    expect(await errorOf(await cloudInit(unknown))).toEqual([401, 'DEPLOY_TOKEN_INVALID']);
    const huge = `infd_${'A'.repeat(500)}`;
    expect(await errorOf(await cloudInit(huge))).toEqual([401, 'DEPLOY_TOKEN_INVALID']);
  });
});

describe('cloud-init and the installer', () => {
  it('renders a script that hands the settings to the installer it downloads', async () => {
    const { cookie } = await signUp(testApp.server.app, 'cloud@example.com');
    const { token } = await createDeployToken(testApp.server.app, cookie);
    const response = await cloudInit(token, '?model=qwen2.5:7b');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const script = await response.text();
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(`export INFERNET_BEARER='${token}'`);
    expect(script).toContain(`export INFERNET_MODEL='qwen2.5:7b'`);
    expect(script).toContain(`export INFERNET_CONTROL_PLANE_URL='http://localhost'`);

    // Run it with a stand-in `curl` whose "installer" prints what it was given.
    const directory = await mkdtemp(join(tmpdir(), 'infernet-cloud-init-'));
    try {
      await writeFile(
        join(directory, 'curl'),
        [
          '#!/bin/sh',
          'while [ $# -gt 1 ]; do [ "$1" = -o ] && out=$2; shift; done',
          'printf "%s\\n" "$1" > "$CURL_LOG"',
          `printf '%s\\n' 'printf "%s\\n" "$INFERNET_BEARER" "$INFERNET_MODEL" "$INFERNET_CONTROL_PLANE_URL"' > "$out"`,
        ].join('\n'),
      );
      await chmod(join(directory, 'curl'), 0o755);
      await writeFile(join(directory, 'user-data.sh'), script);
      const { stdout } = await runFile('sh', [join(directory, 'user-data.sh')], {
        env: { PATH: `${directory}:/usr/bin:/bin`, CURL_LOG: join(directory, 'curl.log') },
      });
      expect(stdout.split('\n')).toEqual([token, 'qwen2.5:7b', 'http://localhost', '']);
      expect(await readFile(join(directory, 'curl.log'), 'utf8')).toBe(
        'http://localhost/install.sh\n',
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses a model that is not a model name, so nothing reaches the script', async () => {
    const { cookie } = await signUp(testApp.server.app, 'hostile@example.com');
    const { token } = await createDeployToken(testApp.server.app, cookie);
    for (const query of [
      `?model=${encodeURIComponent("x'; rm -rf / #")}`,
      `?model=${encodeURIComponent('$(reboot)')}`,
      `?model=${encodeURIComponent('a\nb')}`,
      '',
      '?model=',
    ]) {
      const response = await cloudInit(token, query);
      expect(await errorOf(response)).toEqual([400, 'BAD_REQUEST']);
    }
  });

  it('quotes any value as one literal shell word', async () => {
    const hostile = `it's $(echo no) \`echo no\` "quoted" \\ ; & | * \n end`;
    const { stdout } = await runFile('sh', ['-c', `printf '%s' ${shellQuote(hostile)}`]);
    expect(stdout).toBe(hostile);
  });

  it('serves the repository installer at /install.sh', async () => {
    const response = await testApp.server.app.request('/install.sh');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/x-shellscript/);
    const installer = await readFile(new URL('../../../../install.sh', import.meta.url), 'utf8');
    expect(await response.text()).toBe(installer);
  });
});

describe('linking a node with a deploy token', () => {
  it("links the signing node to the token's account and counts the nodes it linked", async () => {
    const providerId = await registerNode(testApp.server.app, node, {
      nodeId: 'n1',
      models: ['m'],
    });
    const second = generateKeyPair();
    const secondId = await registerNode(testApp.server.app, second, {
      nodeId: 'n2',
      models: ['m'],
    });
    const operator = await signUp(testApp.server.app, 'fleet@example.com');
    const { token } = await createDeployToken(testApp.server.app, operator.cookie);

    const linked = await link(node, bearer(token));
    expect(await linked.json()).toEqual({
      data: { id: providerId, account_id: operator.accountId },
    });
    expect((await link(node, bearer(token))).status).toBe(200);
    expect(await (await link(second, bearer(token))).json()).toEqual({
      data: { id: secondId, account_id: operator.accountId },
    });
    expect(await listTokens(operator.cookie)).toMatchObject([{ nodes_linked: 2 }]);

    // The link is the account's own: another account's session cannot take the node.
    const rival = await signUp(testApp.server.app, 'rival@example.com');
    expect(await errorOf(await link(node, { cookie: rival.cookie }))).toEqual([403, 'FORBIDDEN']);
    const rivalToken = (await createDeployToken(testApp.server.app, rival.cookie)).token;
    expect(await errorOf(await link(node, bearer(rivalToken)))).toEqual([403, 'FORBIDDEN']);
    const unregistered = await link(generateKeyPair(), bearer(token));
    expect(await errorOf(unregistered)).toEqual([404, 'NODE_NOT_REGISTERED']);
  });
});

describe('logs', () => {
  it('never write a deploy token, and use INFERNET_PUBLIC_URL in scripts when set', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const db = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
    const { dependencies, disconnect } = wireDependencies({
      db,
      logger,
      authSecret: 'test-only-auth-secret-0123456789abcdef',
      publicUrl: 'https://infernet.example',
      publicUrlConfigured: true,
      authRateLimit: false,
    });
    const app = createApp(dependencies);
    try {
      const { cookie } = await signUp(app, 'logs@example.com');
      const { token } = await createDeployToken(app, cookie);
      const script = await (
        await app.request('/api/deploy/cloud-init?model=m', { headers: bearer(token) })
      ).text();
      expect(script).toContain(`export INFERNET_CONTROL_PLANE_URL='https://infernet.example'`);
      await registerNode(app, node, { nodeId: 'n1', models: ['m'] });
      expect(
        (await signedPostWith(app, node, '/api/nodes/link', {}, { headers: bearer(token) })).status,
      ).toBe(200);
      await app.request('/api/deploy/cloud-init?model=m', { headers: bearer(`${token}x`) });
      await app.request('/api/deploy/cloud-init?model=$(x)', { headers: bearer(token) });

      expect(lines.length).toBeGreaterThan(5);
      const logged = lines.join('\n');
      expect(logged).toContain('/api/deploy/cloud-init');
      expect(logged).not.toContain(token);
      expect(logged).not.toContain('infd_');
    } finally {
      disconnect();
      await db.close();
    }
  });
});
