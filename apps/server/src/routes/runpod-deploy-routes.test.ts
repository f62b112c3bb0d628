import { Writable } from 'node:stream';
import { Kysely, sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, type Database } from '@infernet/db';
import { startFakeRunPod, type FakeRunPodServer } from '@infernet/testkit';
import { signUp } from '../accounts/account-testing';
import { hashDeployToken } from '../accounts/deploy-token-secret';
import { createApp } from '../app';
import { createCloudDeploy } from '../cloud-deploy';
import { wireDependencies } from '../dependencies';
import { DEFAULT_LIMIT_SETTINGS, withoutRateLimits } from '../limits/limit-settings';
import { createLimits } from '../limits/limits';
import { databaseRateLimitStore } from '../limits/rate-limit-store';

/** A fresh canary per run: finding it anywhere but in RunPod's own request is a leak. */
const RUNPOD_KEY = `rpa_CANARY${crypto.randomUUID().replaceAll('-', '').toUpperCase()}`;
const PROVIDER_IMAGE = 'registry.example/infernet-provider:test';
const PUBLIC_URL = 'http://control-plane.example:3000';

let runpod: FakeRunPodServer;
let db: Database;
let app: ReturnType<typeof createApp>;
let logLines: string[];
let disconnect: (() => void) | undefined;

beforeEach(async () => {
  runpod = await startFakeRunPod({ apiKey: RUNPOD_KEY });
  db = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
  logLines = [];
  // Everything, unredacted: the route must keep the key out of logs on its own.
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
  const wired = wireDependencies({
    db,
    logger,
    authSecret: 'test-only-auth-secret-0123456789abcdef',
    publicUrl: PUBLIC_URL,
    publicUrlConfigured: true,
    authRateLimit: false,
    limits: createLimits({
      store: databaseRateLimitStore(db.rateLimits),
      settings: withoutRateLimits(DEFAULT_LIMIT_SETTINGS),
    }),
    cloudDeploy: createCloudDeploy({ runpodApiUrl: runpod.url, providerImage: PROVIDER_IMAGE }),
  });
  disconnect = wired.disconnect;
  app = createApp(wired.dependencies);
  // A fresh database per test; generous, as machines running many suites at once are slow.
}, 30_000);
afterEach(async () => {
  disconnect?.();
  await db?.close();
  await runpod?.close();
});

function headers(cookie: string | undefined, key: string | undefined = RUNPOD_KEY) {
  return {
    'content-type': 'application/json',
    ...(cookie ? { cookie } : {}),
    ...(key ? { 'x-runpod-api-key': key } : {}),
  };
}

function launch(body: unknown, cookie: string | undefined, key?: string) {
  return app.request('/api/deploy/runpod/pods', {
    method: 'POST',
    headers: headers(cookie, key),
    body: JSON.stringify(body),
  });
}

function listGpuTypes(cookie: string | undefined, key?: string) {
  return app.request('/api/deploy/runpod/gpu-types', { headers: headers(cookie, key) });
}

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

/** Every row of every table of the test database, as text. */
async function dumpDatabase(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped tables in a test.
  const kysely = new Kysely<any>({ dialect: db.kyselyDialect });
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(kysely);
  const dump: string[] = [];
  for (const { table_name: table } of tables.rows) {
    const rows = await sql<{
      row: string;
    }>`SELECT t::text AS row FROM ${sql.table(table)} t`.execute(kysely);
    dump.push(`${table}: ${rows.rows.map((row) => row.row).join('\n')}`);
  }
  expect(tables.rows.map((row) => row.table_name)).toEqual(
    expect.arrayContaining(['accounts', 'account_sessions', 'deploy_tokens', 'jobs']),
  );
  return dump.join('\n');
}

describe('one-click launch on RunPod', () => {
  it('lists GPU types with the key of the call', async () => {
    const { cookie } = await signUp(app, 'gpus@example.com');
    const response = await listGpuTypes(cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({
      data: [
        {
          id: 'NVIDIA GeForce RTX 4090',
          display_name: 'RTX 4090',
          memory_gb: 24,
          secure_price: 0.69,
          community_price: 0.34,
          available: true,
        },
        {
          id: 'NVIDIA H100 80GB HBM3',
          display_name: 'H100 SXM',
          memory_gb: 80,
          secure_price: 2.69,
          community_price: null,
          available: false,
        },
        {
          id: 'NVIDIA RTX A5000',
          display_name: 'RTX A5000',
          memory_gb: 24,
          secure_price: null,
          community_price: 0.16,
          available: true,
        },
      ],
    });
    expect(runpod.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${RUNPOD_KEY}`,
      `Bearer ${RUNPOD_KEY}`,
    ]);
  });

  it('creates the pod with a fresh deploy token, and keeps the RunPod key nowhere', async () => {
    const { cookie, accountId } = await signUp(app, 'launch@example.com');
    const response = await launch(
      { gpu_type_id: 'NVIDIA GeForce RTX 4090', gpu_count: 2, model: 'llama3.2:1b' },
      cookie,
    );
    expect(response.status).toBe(201);
    const { data } = (await response.json()) as {
      data: { pod_id: string; name: string; deploy_token_id: string };
    };
    expect(data).toEqual({
      pod_id: 'fakepod000001',
      name: expect.stringMatching(/^infernet-llama3-2-1b-[0-9a-f]{6}$/),
      gpu_type_id: 'NVIDIA GeForce RTX 4090',
      deploy_token_id: expect.any(String),
      status: 'PROVISIONING',
    });

    // The request the control plane sent to RunPod, exactly.
    expect(runpod.requests).toHaveLength(1);
    const sent = runpod.requests[0]!;
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v2/pods',
      headers: { authorization: `Bearer ${RUNPOD_KEY}`, 'content-type': 'application/json' },
    });
    expect(sent.body).toEqual({
      name: data.name,
      image: PROVIDER_IMAGE,
      cloud: 'SECURE',
      gpu: { id: 'NVIDIA GeForce RTX 4090', count: 2 },
      env: {
        INFERNET_BEARER: expect.stringMatching(/^infd_[\w-]{43}$/),
        INFERNET_MODEL: 'llama3.2:1b',
        INFERNET_CONTROL_PLANE_URL: PUBLIC_URL,
      },
      disk: 50,
    });

    // INFERNET_BEARER is a live deploy token of this account, labelled for the pod.
    const bearer = (sent.body as { env: { INFERNET_BEARER: string } }).env.INFERNET_BEARER;
    expect(await db.deployTokens.use(hashDeployToken(bearer), new Date())).toEqual({
      tokenId: data.deploy_token_id,
      accountId,
    });
    const tokens = await db.deployTokens.list(accountId);
    expect(tokens).toMatchObject([
      { id: data.deploy_token_id, label: `runpod:${data.name}`, revokedAt: null },
    ]);

    // Neither the RunPod key nor the deploy token is in any table or log line.
    const dump = await dumpDatabase();
    expect(dump).toContain(`runpod:${data.name}`);
    expect(dump).not.toContain(RUNPOD_KEY);
    expect(dump).not.toContain(bearer);
    const logs = logLines.join('');
    expect(logs).toContain('"route":"/api/deploy/runpod/pods"');
    expect(logs).not.toContain(RUNPOD_KEY);
    expect(logs).not.toContain(bearer);
  });

  it('takes the pod name and cloud asked for, and the request origin without a public URL', async () => {
    disconnect?.();
    const wired = wireDependencies({
      db,
      logger: pino({ level: 'silent' }),
      authSecret: 'test-only-auth-secret-0123456789abcdef',
      publicUrl: 'http://localhost',
      authRateLimit: false,
      cloudDeploy: createCloudDeploy({ runpodApiUrl: runpod.url }),
    });
    disconnect = wired.disconnect;
    app = createApp(wired.dependencies);
    const { cookie } = await signUp(app, 'named@example.com');
    const response = await launch(
      {
        gpu_type_id: 'NVIDIA RTX A5000',
        model: 'qwen2.5:7b',
        name: 'my-node',
        cloud_type: 'COMMUNITY',
      },
      cookie,
    );
    expect(response.status).toBe(201);
    expect(runpod.requests[0]?.body).toMatchObject({
      name: 'my-node',
      image: 'ghcr.io/profullstack/infernet-provider-ollama:latest',
      cloud: 'COMMUNITY',
      gpu: { id: 'NVIDIA RTX A5000', count: 1 },
      env: { INFERNET_MODEL: 'qwen2.5:7b', INFERNET_CONTROL_PLANE_URL: 'http://localhost' },
    });
  });

  it('needs a session, and a key, before anything reaches RunPod', async () => {
    const body = { gpu_type_id: 'NVIDIA GeForce RTX 4090', model: 'llama3.2:1b' };
    expect(await errorOf(await listGpuTypes(undefined))).toMatchObject({
      status: 401,
      code: 'AUTH_MISSING',
    });
    expect(await errorOf(await launch(body, undefined))).toMatchObject({
      status: 401,
      code: 'AUTH_MISSING',
    });
    const { cookie, accountId } = await signUp(app, 'nokey@example.com');
    expect(await errorOf(await launch(body, cookie, ''))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
      message: expect.stringContaining('X-RunPod-Api-Key'),
    });
    expect(await errorOf(await listGpuTypes(cookie, 'has spaces in it'))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await errorOf(await launch({ ...body, gpu_count: 0 }, cookie))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(await errorOf(await launch({ ...body, image: 'evil/image' }, cookie))).toMatchObject({
      status: 400,
      code: 'BAD_REQUEST',
    });
    expect(runpod.requests).toEqual([]);
    expect(await db.deployTokens.list(accountId)).toEqual([]);
  });

  it('answers 401 DEPLOY_PROVIDER_UNAUTHORIZED when RunPod refuses the key', async () => {
    const { cookie, accountId } = await signUp(app, 'refused@example.com');
    const wrongKey = 'rpa_NOT0THE0RIGHT0KEY';
    const listed = await errorOf(await listGpuTypes(cookie, wrongKey));
    expect(listed).toEqual({
      status: 401,
      code: 'DEPLOY_PROVIDER_UNAUTHORIZED',
      message: 'RunPod refused the API key: invalid bearer token',
    });
    const launched = await errorOf(
      await launch({ gpu_type_id: 'NVIDIA GeForce RTX 4090', model: 'm' }, cookie, wrongKey),
    );
    expect(launched).toMatchObject({ status: 401, code: 'DEPLOY_PROVIDER_UNAUTHORIZED' });
    // The token minted for the pod that was never created is revoked at once.
    const tokens = await db.deployTokens.list(accountId);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.revokedAt).toBeInstanceOf(Date);
    expect(logLines.join('')).not.toContain(wrongKey);
  });

  it("answers 502 DEPLOY_PROVIDER_ERROR with RunPod's message when RunPod fails", async () => {
    const { cookie } = await signUp(app, 'outage@example.com');
    runpod.setFailure({ status: 500, detail: 'capacity service unavailable' });
    expect(await errorOf(await listGpuTypes(cookie))).toEqual({
      status: 502,
      code: 'DEPLOY_PROVIDER_ERROR',
      message: 'RunPod answered 500: capacity service unavailable',
    });
    const launched = await errorOf(
      await launch({ gpu_type_id: 'NVIDIA GeForce RTX 4090', model: 'm' }, cookie),
    );
    expect(launched).toEqual({
      status: 502,
      code: 'DEPLOY_PROVIDER_ERROR',
      message: 'RunPod answered 500: capacity service unavailable',
    });
    runpod.setFailure();
    const unknownGpu = await errorOf(
      await launch({ gpu_type_id: 'NVIDIA Imaginary 9000', model: 'm' }, cookie),
    );
    expect(unknownGpu).toEqual({
      status: 502,
      code: 'DEPLOY_PROVIDER_ERROR',
      message: 'RunPod answered 400: unknown GPU type "NVIDIA Imaginary 9000"',
    });
  });
});
