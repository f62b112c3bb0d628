import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { generateKeyPair, signRequest } from '@infernet/auth';
import { AUTH_HEADER_NAME, DEFAULT_BODY_LIMIT_BYTES } from '@infernet/protocol';
import { loadConfig } from './config';
import { startServer } from './server';

const redisUrl = process.env.TEST_REDIS_URL;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the control plane on an embedded database in a temporary directory, recording its log. */
async function start(env: NodeJS.ProcessEnv) {
  const dataDirectory = await mkdtemp(join(tmpdir(), 'infernet-server-'));
  cleanups.push(() => rm(dataDirectory, { recursive: true, force: true }));
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => records.push(JSON.parse(line)) },
  );
  const config = loadConfig({ ...env, INFERNET_DATA_DIR: dataDirectory }, [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
  ]);
  const server = await startServer(config, logger);
  cleanups.push(() => server.close());
  const listening = records.find((record) => record.msg === 'control plane listening');
  return { server, listening };
}

function createJob(server: Awaited<ReturnType<typeof start>>['server'], model: string) {
  return server.db.jobs.createChat({
    model,
    title: 'job',
    input: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, temperature: 0 },
    streamTokenHash: randomBytes(32).toString('hex'),
  });
}

describe('startServer', () => {
  it('says at start-up that wake-ups use the database without REDIS_URL', async () => {
    const { listening } = await start({});
    expect(listening).toMatchObject({ database: 'pglite', notifications: 'postgres' });
  });

  it.skipIf(!redisUrl)('carries its wake-ups over Redis when REDIS_URL is set', async () => {
    const { server, listening } = await start({ REDIS_URL: redisUrl });
    expect(listening).toMatchObject({ notifications: 'redis' });
    // The database listens to nothing, so this can only arrive through Redis.
    const model = `model-${randomBytes(4).toString('hex')}`;
    const heard = new Promise<string>((resolve) =>
      server.db.notifications.onJobAvailable((announced) => {
        if (announced === model) resolve(announced);
      }),
    );
    await createJob(server, model);
    expect(await heard).toBe(model);
  });

  it('takes signed bodies over real HTTP, stated or chunked, and refuses oversized ones', async () => {
    const { server } = await start({});
    const key = generateKeyPair();
    const path = '/api/v1/node/register';
    const body = JSON.stringify({
      role: 'provider',
      node_id: 'http-node',
      specs: { gpus: [], gpu_count: 0, served_models: ['m'] },
    });
    const signed = () => ({
      [AUTH_HEADER_NAME]: signRequest({
        method: 'POST',
        path,
        body,
        privateKey: key.privateKey,
        createdAt: Math.floor(Date.now() / 1000),
      }).header,
    });
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          const middle = Math.floor(bytes.length / 2);
          controller.enqueue(bytes.subarray(0, middle));
          controller.enqueue(bytes.subarray(middle));
          controller.close();
        },
      });
    const stated = await fetch(new URL(path, server.url), {
      method: 'POST',
      headers: signed(),
      body,
    });
    expect(stated.status).toBe(200);
    const streamed = await fetch(new URL(path, server.url), {
      method: 'POST',
      headers: signed(),
      body: chunked(body),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(200);

    const huge = JSON.stringify({ padding: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES) });
    for (const oversized of [huge, chunked(huge)]) {
      const refused = await fetch(new URL(path, server.url), {
        method: 'POST',
        headers: signed(),
        body: oversized,
        duplex: 'half',
      } as RequestInit);
      expect(refused.status).toBe(413);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'PAYLOAD_TOO_LARGE',
      );
    }
  });

  it('refuses a completion over the default limit unless its sender holds an embedding job', async () => {
    const { server } = await start({});
    const key = generateKeyPair();
    const register = JSON.stringify({
      role: 'provider',
      node_id: 'big-sender',
      specs: { gpus: [], gpu_count: 0, served_models: ['m'] },
    });
    const sign = (path: string, body: string) => ({
      [AUTH_HEADER_NAME]: signRequest({
        method: 'POST',
        path,
        body,
        privateKey: key.privateKey,
        createdAt: Math.floor(Date.now() / 1000),
      }).header,
    });
    const registered = await fetch(new URL('/api/v1/node/register', server.url), {
      method: 'POST',
      headers: sign('/api/v1/node/register', register),
      body: register,
    });
    expect(registered.status).toBe(200);
    // A chat job this node does not hold: a registered, correctly signed sender is not enough.
    const job = await createJob(server, 'm');
    const path = `/api/v1/node/jobs/${job!.id}/complete`;
    const body = JSON.stringify({
      status: 'completed',
      result: { text: 'x'.repeat(2 * DEFAULT_BODY_LIMIT_BYTES) },
    });
    const refused = await fetch(new URL(path, server.url), {
      method: 'POST',
      headers: sign(path, body),
      body,
    });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });
});
