import { signRequest, type KeyPair } from '@infernet/auth';
import { openTestDatabase, type Database } from '@infernet/db';
import { pino } from 'pino';
import { createApp } from './app';
import { wireDependencies } from './dependencies';
import { createPricing } from './pricing';

/** Test-only: an in-process app on a fresh database (PGlite, or Postgres with TEST_DATABASE_URL). */
export async function createTestApp(
  options: { keepAliveMs?: number; leaseSeconds?: number; pricePerMillionTokens?: string } = {},
) {
  const db: Database = await openTestDatabase({ databaseUrl: process.env.TEST_DATABASE_URL });
  const { dependencies, disconnect } = wireDependencies({
    db,
    logger: pino({ level: 'silent' }),
    keepAliveMs: options.keepAliveMs,
    leaseSeconds: options.leaseSeconds,
    pricing: createPricing(options.pricePerMillionTokens ?? '0', {}),
  });
  const app = createApp(dependencies);
  return {
    app,
    db,
    dependencies,
    async close() {
      disconnect();
      await db.close();
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Signs and sends a node API request, returning the response. */
export async function signedPost(
  app: TestApp['app'],
  key: KeyPair,
  path: string,
  body: unknown,
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  const text = JSON.stringify(body);
  const { header } = signRequest({
    method: 'POST',
    path,
    body: text,
    privateKey: key.privateKey,
    createdAt: Math.floor(Date.now() / 1000),
  });
  return app.request(path, {
    method: 'POST',
    body: text,
    headers: { 'content-type': 'application/json', 'x-infernet-auth': header },
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

export async function registerNode(
  app: TestApp['app'],
  key: KeyPair,
  options: { nodeId: string; models: string[] },
) {
  const response = await signedPost(app, key, '/api/v1/node/register', {
    role: 'provider',
    node_id: options.nodeId,
    name: options.nodeId,
    specs: { gpus: [], gpu_count: 0, served_models: options.models },
  });
  if (response.status !== 200) throw new Error(`register failed: ${await response.text()}`);
  return ((await response.json()) as { data: { id: string } }).data.id;
}

/** Parses a complete SSE body into frames; comments are returned as `comment` frames. */
export function parseSse(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const frame: { id?: string; event?: string; data?: string; comment?: string } = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) frame.comment = line.slice(1).trim();
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data = (frame.data ?? '') + line.slice(6);
      }
      return frame;
    });
}
